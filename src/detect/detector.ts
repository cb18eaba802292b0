import type { Detection } from '../core/detection.js';
import type { SecurityEvent } from '../core/event.js';

/** Where detectors report. `opened` fires once per detection, `closed` once when its window has passed. */
export interface DetectionListener {
  opened(detection: Detection): void;
  closed(detection: Detection): void;
}

export interface DetectorStats {
  /** Keys (IPs, users, …) currently tracked. */
  trackedKeys: number;
  /** Keys dropped because the tracked-key limit was reached (not by age). */
  evictedKeys: number;
}

/**
 * A detector sees every event synchronously on the hot path (no await), keeps
 * bounded keyed state in event time, and reports through its listener.
 */
export interface Detector {
  readonly name: string;
  onEvent(event: SecurityEvent): void;
  /** The watermark moved: close detections and drop state that fell out of every window. */
  advance(watermark: number): void;
  /** End of stream or shutdown: close every open detection. */
  flush(): void;
  stats(): DetectorStats;
}
