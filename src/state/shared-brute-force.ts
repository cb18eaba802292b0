import type { Logger } from 'pino';
import type { Detection } from '../core/detection.js';
import { isCompanion, type SecurityEvent } from '../core/event.js';
import type { IdGenerator } from '../core/ids.js';
import type { ThreatLevel } from '../core/threat-level.js';
import type { DetectionListener } from '../detect/detector.js';
import type { BruteForceConfig } from '../detect/login/brute-force.js';
import type { StateStore, WindowEntry } from './state-store.js';

export interface SharedBruteForceStats {
  /** Failures written to the shared windows. */
  written: number;
  /** Failures dropped because too many were waiting for the store (Redis slow or down). */
  dropped: number;
  /** Shared detections raised by this instance. */
  raised: number;
  /** Store round trips that failed. */
  errors: number;
}

const WINDOW = 'bf';

/**
 * Brute force across instances. Each instance's own BruteForceDetector sees
 * only the failures that reach it; when an attacker's failures are spread
 * over several instances, none may reach the threshold alone. This stage
 * writes every login failure, once per pipeline batch (one pipelined round
 * trip), to the IP's window in the shared StateStore and reads back the
 * count across all instances. When it reaches the threshold, the instances
 * race for a claim on the IP (held for one window): the winner raises one
 * `brute_force` detection; the response stage turns it into a decision,
 * which DecisionSync shares with the others.
 *
 * Off the hot path: `observe` only copies the failures of a processed batch;
 * the store is written asynchronously, one write at a time, and what waits
 * is bounded (beyond maxPending failures are dropped and counted).
 */
export class SharedBruteForce {
  readonly stats: SharedBruteForceStats = { written: 0, dropped: 0, raised: 0, errors: 0 };
  private pending: WindowEntry[] = [];
  private writing: Promise<void> | undefined;
  private readonly open = new Map<string, Detection>();
  private readonly windowMs: number;

  constructor(
    private readonly options: {
      store: StateStore;
      config: BruteForceConfig;
      listener: DetectionListener;
      ids: IdGenerator;
      maxPending: number;
      logger?: Logger;
    },
  ) {
    this.windowMs = options.config.windowSeconds * 1000;
  }

  /** A processed batch (synchronous, cheap): queue its login failures; close shared detections gone quiet. */
  observe(events: readonly SecurityEvent[], watermark: number): void {
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as SecurityEvent;
      if (event.kind !== 'login.failure' || isCompanion(event)) continue;
      if (this.pending.length >= this.options.maxPending) {
        this.stats.dropped++;
        continue;
      }
      this.pending.push({ key: event.sourceIp, time: event.timestamp, id: event.id });
    }
    for (const [ip, detection] of this.open) {
      if (detection.evidence.lastSeen < watermark - this.windowMs) {
        this.open.delete(ip);
        detection.status = 'closed';
        this.options.listener.closed(detection);
      }
    }
    if (this.pending.length > 0 && this.writing === undefined) this.writing = this.write();
  }

  /** Resolves once every failure observed so far was written and checked. */
  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private async write(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const entries = this.pending;
        this.pending = [];
        try {
          const counts = await this.options.store.addToWindows(WINDOW, entries, this.windowMs);
          this.stats.written += entries.length;
          for (const [ip, window] of counts) {
            const open = this.open.get(ip);
            if (open !== undefined) {
              open.evidence.eventCount = Math.max(open.evidence.eventCount, window.count);
              if (window.newest > open.evidence.lastSeen) open.evidence.lastSeen = window.newest;
              continue;
            }
            if (window.count < this.options.config.threshold) continue;
            if (!(await this.options.store.claim(`${WINDOW}:${ip}`, this.windowMs))) continue;
            this.raise(ip, window.count, window.firstSeen, window.newest, entries);
          }
        } catch (err) {
          this.stats.errors++;
          this.options.logger?.warn({ err, failures: entries.length }, 'shared brute-force window update failed (these failures count locally only)');
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private raise(ip: string, count: number, firstSeen: number, lastSeen: number, entries: readonly WindowEntry[]): void {
    const threshold = this.options.config.threshold;
    const detection: Detection = {
      id: this.options.ids.next(),
      detector: 'brute_force',
      type: 'brute_force',
      sourceIp: ip,
      confidence: Math.min(0.99, Math.round((0.8 + 0.02 * (count - threshold)) * 100) / 100),
      severity: this.options.config.severity as ThreatLevel,
      evidence: {
        eventCount: count,
        firstSeen,
        lastSeen,
        windowSeconds: this.options.config.windowSeconds,
        threshold,
        // Counted across every instance sharing the state store.
        shared: true,
      },
      eventIds: entries.filter((e) => e.key === ip).map((e) => e.id).slice(0, 50),
      status: 'open',
      detectedAt: lastSeen,
    };
    this.open.set(ip, detection);
    this.stats.raised++;
    this.options.listener.opened(detection);
  }
}
