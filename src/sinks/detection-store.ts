import type { Detection } from '../core/detection.js';
import type { ThreatLevel } from '../core/threat-level.js';
import { rank } from '../core/threat-level.js';
import type { DetectionRecord, DetectionSink } from './sink.js';

export interface DetectionQuery {
  /** Only detections whose last evidence is at or after this event time (ms). */
  since?: number;
  type?: string;
  ip?: string;
  username?: string;
  minSeverity?: ThreatLevel;
  status?: 'open' | 'closed';
  limit?: number;
}

/**
 * The most recent detections, in memory, for the API. Holds live objects, so
 * an open detection's evidence is current. Bounded: the oldest are dropped.
 */
export class DetectionStore implements DetectionSink {
  readonly name = 'detections-memory';
  private readonly byId = new Map<string, Detection>();

  constructor(readonly capacity = 10_000) {}

  get size(): number {
    return this.byId.size;
  }

  write(records: readonly DetectionRecord[]): void {
    for (const { detection } of records) {
      if (this.byId.has(detection.id)) continue;
      this.byId.set(detection.id, detection);
      if (this.byId.size > this.capacity) {
        const oldest = this.byId.keys().next();
        if (!oldest.done) this.byId.delete(oldest.value);
      }
    }
  }

  get(id: string): Detection | undefined {
    return this.byId.get(id);
  }

  /** Newest first. */
  query(q: DetectionQuery = {}): Detection[] {
    const limit = q.limit ?? 100;
    const minRank = q.minSeverity === undefined ? -1 : rank(q.minSeverity);
    const out: Detection[] = [];
    const all = [...this.byId.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const d = all[i] as Detection;
      if (q.since !== undefined && d.evidence.lastSeen < q.since) continue;
      if (q.type !== undefined && d.type !== q.type) continue;
      if (q.ip !== undefined && d.sourceIp !== q.ip) continue;
      if (q.username !== undefined && d.username !== q.username && !(d.evidence.usernames ?? []).includes(q.username)) {
        continue;
      }
      if (q.status !== undefined && d.status !== q.status) continue;
      if (rank(d.severity) < minRank) continue;
      out.push(d);
    }
    return out;
  }

  async close(): Promise<void> {}
}
