import type { SecurityEvent } from '../core/event.js';
import type { DetectionTracker } from './detection-tracker.js';
import type { Detector, DetectorStats } from './detector.js';
import type { KeyedState, TouchedState } from './windows/keyed-state.js';

/**
 * The common lifecycle of a detector with one map of per-key state and one
 * tracker of open detections: event time closes quiet detections and drops
 * stale keys; a flush closes everything; stats count keys and evictions.
 */
export abstract class KeyedStateDetector<S extends TouchedState> implements Detector {
  abstract readonly name: string;
  protected abstract readonly tracker: DetectionTracker;
  /** The per-key state (IPs, users, …). */
  protected abstract get keyed(): KeyedState<S>;

  abstract onEvent(event: SecurityEvent): void;

  advance(watermark: number): void {
    this.tracker.advance(watermark);
    this.keyed.sweep(watermark);
  }

  flush(): void {
    this.tracker.flush();
    this.keyed.clear();
  }

  stats(): DetectorStats {
    return { trackedKeys: this.keyed.size, evictedKeys: this.keyed.evicted + this.tracker.evicted };
  }
}
