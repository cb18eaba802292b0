import type { IdGenerator } from '../core/ids.js';
import type { VigilConfig } from '../core/config.js';
import type { DetectionListener, Detector } from './detector.js';
import { BruteForceDetector } from './login/brute-force.js';
import { ViolationDetector } from './violations/violation.js';
import { PortScanDetector } from './web/port-scan.js';
import { WebAttackDetector } from './web/web-attack-detector.js';

/** Detector registry: one line per detector, enabled by its config. */
export function createDetectors(config: VigilConfig['detectors'], listener: DetectionListener, ids: IdGenerator): Detector[] {
  const detectors: Detector[] = [];
  if (config.bruteForce.enabled) detectors.push(new BruteForceDetector(config.bruteForce, listener, ids));
  if (config.webAttack.enabled) detectors.push(new WebAttackDetector(config.webAttack, listener, ids));
  if (config.portScan.enabled) detectors.push(new PortScanDetector(config.portScan, listener, ids));
  if (config.violation.enabled) detectors.push(new ViolationDetector(config.violation, listener, ids));
  return detectors;
}
