import type { DetectionRecord, DetectionSink } from './sink.js';

/**
 * A sink whose target is known only after start-up (the store opens
 * asynchronously). Records written before that are passed on once it is set.
 */
export class LateSink implements DetectionSink {
  target: DetectionSink | undefined;
  private readonly early: DetectionRecord[] = [];

  constructor(readonly name: string) {}

  async write(records: readonly DetectionRecord[]): Promise<void> {
    if (this.target === undefined) {
      this.early.push(...records);
      return;
    }
    if (this.early.length > 0) await this.target.write(this.early.splice(0));
    await this.target.write(records);
  }

  async close(): Promise<void> {
    if (this.target !== undefined && this.early.length > 0) await this.target.write(this.early.splice(0));
    await this.target?.close();
  }
}
