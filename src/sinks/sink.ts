import type { Detection } from '../core/detection.js';

/** A detection as it is delivered: when raised (`open`) and once more when closed, with final evidence. */
export interface DetectionRecord {
  status: 'open' | 'closed';
  detection: Detection;
}

export interface DetectionSink {
  readonly name: string;
  write(records: readonly DetectionRecord[]): void | Promise<void>;
  close(): Promise<void>;
}
