import type { IdGenerator } from '../core/ids.js';
import type { VigilConfig } from '../core/config.js';
import type { DetectionListener, Detector } from './detector.js';
import { BruteForceDetector } from './login/brute-force.js';

/** Detector registry: one line per detector, enabled by its config. */
export function createDetectors(config: VigilConfig['detectors'], listener: DetectionListener, ids: IdGenerator): Detector[] {
  const detectors: Detector[] = [];
  if (config.bruteForce.enabled) detectors.push(new BruteForceDetector(config.bruteForce, listener, ids));
  return detectors;
}
