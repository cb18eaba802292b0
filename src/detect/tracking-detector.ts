import type { SecurityEvent } from '../core/event.js';
import type { DetectionTracker } from './detection-tracker.js';
import type { Detector, DetectorStats } from './detector.js';
import type { KeyedState, TouchedState } from './windows/keyed-state.js';
import type { SlotKeyedState } from './windows/slot-keyed-state.js';

/**
 * The common lifecycle of a detector built on a tracker of open detections
 * and, optionally, one map of per-key state: event time closes quiet
 * detections and drops stale keys; a flush closes everything; stats count
 * what is held and what was evicted.
 */
export abstract class TrackingDetector<S extends TouchedState = TouchedState> implements Detector {
  abstract readonly name: string;
  protected abstract readonly tracker: DetectionTracker;

  /** The per-key state (IPs, users, …), if the detector keeps any besides its open detections. */
  protected get keyed(): KeyedState<S> | SlotKeyedState | undefined {
    return undefined;
  }

  abstract onEvent(event: SecurityEvent): void;

  advance(watermark: number): void {
    this.tracker.advance(watermark);
    this.keyed?.sweep(watermark);
  }

  flush(): void {
    this.tracker.flush();
    this.keyed?.clear();
  }

  stats(): DetectorStats {
    const keyed = this.keyed;
    return keyed === undefined
      ? { trackedKeys: this.tracker.size, evictedKeys: this.tracker.evicted }
      : { trackedKeys: keyed.size, evictedKeys: keyed.evicted + this.tracker.evicted };
  }
}
