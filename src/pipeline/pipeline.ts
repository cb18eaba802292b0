import { Type, type Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Detection } from '../core/detection.js';
import type { SecurityEvent } from '../core/event.js';
import type { DetectionListener, Detector } from '../detect/detector.js';
import type { ResponseStage } from '../respond/response-stage.js';
import { BoundedQueue } from './bounded-queue.js';
import { journalConfigSchema } from './ingest-journal.js';
import type { DetectionOutputs } from './detection-outputs.js';

export const pipelineConfigSchema = Type.Object(
  {
    queueCapacity: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Events accepted but not yet processed; beyond it ingestion answers 503 (backpressure).',
    }),
    batchSize: Type.Integer({ minimum: 1, default: 512, description: 'Events processed per turn of the event loop.' }),
    outputQueueCapacity: Type.Integer({
      minimum: 1,
      default: 10_000,
      description: 'Detections waiting for sinks; while it is full, processing pauses and the event queue fills.',
    }),
    maxFutureSkewSeconds: Type.Number({
      minimum: 0,
      default: 300,
      description: 'Live mode: events stamped further ahead of the wall clock are clamped to it (counted).',
    }),
    maxLatenessSeconds: Type.Number({
      minimum: 0,
      default: 60,
      description: 'Live mode: when events stop, event time still follows the wall clock minus this lag, so windows close.',
    }),
    retryAfterSeconds: Type.Integer({ minimum: 1, default: 1, description: 'Retry-After sent with a 503 when the queue is full.' }),
    journal: journalConfigSchema,
  },
  { additionalProperties: false, default: {} },
);
export type PipelineConfig = Static<typeof pipelineConfigSchema>;

export interface PipelineStats {
  accepted: number;
  processed: number;
  rejectedQueueFull: number;
  /** Events refused because the write-ahead journal could not take them. */
  rejectedJournal: number;
  clampedFuture: number;
  detectionsOpened: number;
  detectionsClosed: number;
  /** Seconds spent in detectors (sum over batches). */
  detectSeconds: number;
  /** Times processing paused because the output queue was full. */
  outputStalls: number;
  /** Exceptions caught per component (detector_<name>, response). */
  errors: Map<string, number>;
}

export interface PipelineOptions {
  /** The journal's own settings are the service's business (it owns the journal). */
  config: Omit<PipelineConfig, 'journal'>;
  detectors: Detector[];
  outputs: DetectionOutputs;
  /** Wall clock (live) — event time is derived from the events themselves. */
  clock: Clock;
  /** live: bounded by the wall clock, idle ticks close windows; replay: event time only. */
  mode: 'live' | 'replay';
  logger?: Logger;
  /** Scoring and response after the detectors (absent: detections only). */
  response?: ResponseStage;
  /**
   * Processed events are handed here per batch (the audit store's writer: it
   * queues and writes in its own transactions, off the hot path, and counts
   * what it has to refuse).
   */
  eventSink?: (events: readonly SecurityEvent[]) => void;
  /**
   * Called once per processed batch with the seconds it took (per-event
   * metrics count here: one call per batch keeps the per-event cost to a few
   * array increments, and one clock read serves the whole batch).
   */
  onBatch?: (events: readonly SecurityEvent[], seconds: number) => void;
  /**
   * Write-ahead journal: every accepted batch is appended (synchronously)
   * before it is queued; a throw refuses the batch (counted as rejectedJournal).
   */
  journal?: { append(events: readonly SecurityEvent[]): void };
}

/**
 * The processing stage: events in (bounded queue), detectors over them in
 * event time, detections out (bounded output queue, drained by sinks).
 *
 * Processing is synchronous per batch — no await per event. The watermark is
 * the largest event time seen; live it is also pulled forward by the wall
 * clock (minus maxLateness) so that windows close when traffic stops.
 */
export class Pipeline implements DetectionListener {
  readonly queue: BoundedQueue<SecurityEvent>;
  readonly stats: PipelineStats = {
    accepted: 0,
    processed: 0,
    rejectedQueueFull: 0,
    rejectedJournal: 0,
    clampedFuture: 0,
    detectionsOpened: 0,
    detectionsClosed: 0,
    detectSeconds: 0,
    outputStalls: 0,
    errors: new Map(),
  };
  private watermarkMs = Number.NEGATIVE_INFINITY;
  private scheduled = false;
  private ticker: NodeJS.Timeout | undefined;
  private readonly batch: SecurityEvent[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly options: PipelineOptions) {
    this.queue = new BoundedQueue<SecurityEvent>(options.config.queueCapacity);
  }

  get watermark(): number {
    return this.watermarkMs;
  }

  get detectors(): readonly Detector[] {
    return this.options.detectors;
  }

  /** Live mode: start the idle ticker. */
  start(): void {
    if (this.options.mode !== 'live' || this.ticker !== undefined) return;
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
  }

  /** Accept all of `events` or none (queue full → false, counted). */
  offer(events: readonly SecurityEvent[]): boolean {
    if (this.stopped) return false;
    if (this.queue.free < events.length) {
      this.stats.rejectedQueueFull += events.length;
      return false;
    }
    if (this.options.journal !== undefined) {
      try {
        this.options.journal.append(events);
      } catch {
        // Counted here and in the journal's own stats; the caller answers 503 (admission says why).
        this.stats.rejectedJournal += events.length;
        return false;
      }
    }
    this.queue.offerAll(events);
    this.stats.accepted += events.length;
    this.schedule();
    return true;
  }

  /** Like offer, but waits up to timeoutMs for room (streaming ingestion). */
  async offerWait(events: readonly SecurityEvent[], timeoutMs: number): Promise<boolean> {
    if (events.length > this.queue.capacity) throw new RangeError('batch larger than the queue');
    const deadline = Date.now() + timeoutMs;
    while (!this.stopped && this.queue.free < events.length) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.offer(events);
  }

  /** Run events through the detectors now (replay, tests). */
  processBatch(events: readonly SecurityEvent[]): void {
    const detectors = this.options.detectors;
    const live = this.options.mode === 'live';
    const ceiling = live ? this.options.clock.now() + this.options.config.maxFutureSkewSeconds * 1000 : Infinity;
    const started = performance.now();
    let watermark = this.watermarkMs;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as SecurityEvent;
      if (event.timestamp > ceiling) {
        event.timestamp = ceiling;
        this.stats.clampedFuture++;
      }
      if (event.timestamp > watermark) watermark = event.timestamp;
      for (let d = 0; d < detectors.length; d++) {
        try {
          (detectors[d] as Detector).onEvent(event);
        } catch (err) {
          this.failed(`detector_${(detectors[d] as Detector).name}`, err);
        }
      }
    }
    this.stats.processed += events.length;
    this.options.eventSink?.(events);
    if (watermark > this.watermarkMs) this.advanceTo(watermark);
    const seconds = (performance.now() - started) / 1000;
    this.stats.detectSeconds += seconds;
    if (this.options.onBatch !== undefined) {
      try {
        this.options.onBatch(events, seconds);
      } catch (err) {
        this.failed('metrics', err);
      }
    }
  }

  /** Stop accepting, process everything queued, close open detections, flush sinks. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
    while (this.queue.size > 0) {
      this.drainOnce();
      await this.options.outputs.whenBelowCapacity();
    }
    for (const detector of this.options.detectors) detector.flush();
    this.options.response?.advance(this.watermarkMs);
    this.wakeWaiters();
    await this.options.outputs.close();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves when every accepted event has been processed (tests, shutdown). */
  idle(): Promise<void> {
    if (this.queue.size === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  opened(detection: Detection): void {
    this.stats.detectionsOpened++;
    this.options.logger?.info(
      { detection: detection.id, type: detection.type, severity: detection.severity, count: detection.evidence.eventCount },
      'detection opened',
    );
    this.options.outputs.push({ status: 'open', detection });
    this.respond(detection);
  }

  closed(detection: Detection): void {
    this.stats.detectionsClosed++;
    this.options.outputs.push({ status: 'closed', detection });
    this.respond(detection);
  }

  private respond(detection: Detection): void {
    try {
      this.options.response?.detection(detection);
    } catch (err) {
      this.failed('response', err);
    }
  }

  /**
   * A component threw on one event or detection: a bug, but never a reason to
   * stop monitoring. Counted by type (security_monitoring_errors_total) and logged.
   */
  private failed(errorType: string, err: unknown): void {
    this.stats.errors.set(errorType, (this.stats.errors.get(errorType) ?? 0) + 1);
    this.options.logger?.error({ err, errorType }, 'processing error (event skipped for this component)');
  }

  /** Move event time forward: detectors close windows, the response stage expires decisions. */
  private advanceTo(watermark: number): void {
    this.watermarkMs = watermark;
    for (const detector of this.options.detectors) {
      try {
        detector.advance(watermark);
      } catch (err) {
        this.failed(`detector_${detector.name}`, err);
      }
    }
    try {
      this.options.response?.advance(watermark);
    } catch (err) {
      this.failed('response', err);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    const outputs = this.options.outputs;
    if (!outputs.hasRoom()) {
      // Sinks are behind: pause; the event queue absorbs, then refuses (503).
      this.stats.outputStalls++;
      this.scheduled = true;
      void outputs.whenBelowCapacity().then(() => this.run());
      return;
    }
    this.drainOnce();
    if (this.queue.size > 0) this.schedule();
    else for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private drainOnce(): void {
    const batch = this.batch;
    batch.length = 0;
    this.queue.drain(batch, this.options.config.batchSize);
    if (batch.length > 0) this.processBatch(batch);
    batch.length = 0;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private tick(): void {
    const idleWatermark = this.options.clock.now() - this.options.config.maxLatenessSeconds * 1000;
    if (idleWatermark > this.watermarkMs) this.advanceTo(idleWatermark);
  }
}
