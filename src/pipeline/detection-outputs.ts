import type { Logger } from 'pino';
import type { DetectionRecord, DetectionSink } from '../sinks/sink.js';

export interface DetectionOutputStats {
  delivered: number;
  sinkErrors: number;
}

/**
 * The bounded queue between detectors and sinks, drained asynchronously in
 * batches. Pushing never blocks the synchronous detector stage; instead the
 * pipeline checks `hasRoom()` before each batch and pauses while sinks are
 * behind, so the queue overshoots its capacity by at most one batch's output.
 */
export class DetectionOutputs {
  private readonly pending: DetectionRecord[] = [];
  private draining: Promise<void> | undefined;
  private readonly roomWaiters: (() => void)[] = [];
  readonly stats: DetectionOutputStats = { delivered: 0, sinkErrors: 0 };

  constructor(
    private readonly sinks: DetectionSink[],
    readonly capacity: number,
    private readonly logger?: Logger,
    private readonly batchSize = 256,
  ) {}

  get depth(): number {
    return this.pending.length;
  }

  hasRoom(): boolean {
    return this.pending.length < this.capacity;
  }

  push(record: DetectionRecord): void {
    this.pending.push(record);
    if (this.draining === undefined) this.draining = this.drain();
  }

  whenBelowCapacity(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Deliver everything pending, then close every sink. */
  async close(): Promise<void> {
    await this.flush();
    for (const sink of this.sinks) {
      try {
        await sink.close();
      } catch (err) {
        this.stats.sinkErrors++;
        this.logger?.error({ sink: sink.name, err }, 'sink failed to close');
      }
    }
  }

  /** Resolves once everything pushed so far has been handed to the sinks. */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.batchSize);
        for (const sink of this.sinks) {
          try {
            await sink.write(batch);
          } catch (err) {
            this.stats.sinkErrors++;
            this.logger?.error({ sink: sink.name, err }, 'sink failed to write detections');
          }
        }
        this.stats.delivered += batch.length;
        if (this.hasRoom()) for (const wake of this.roomWaiters.splice(0)) wake();
      }
    } finally {
      this.draining = undefined;
    }
  }
}
