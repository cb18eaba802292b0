import { Type, type Static } from '@sinclair/typebox';
import type { IdGenerator } from '../core/ids.js';
import { GeoIp, type GeoIpConfig, type GeoLocator } from '../enrich/geoip.js';
import { AnomalousLoginDetector, anomalousLoginConfigSchema } from './anomaly/anomalous-login.js';
import { IsolationForest } from './anomaly/isolation-forest.js';
import type { DetectionListener, Detector } from './detector.js';
import { AccountTakeoverDetector, accountTakeoverConfigSchema } from './login/account-takeover.js';
import { FailureIndex } from './login/failure-index.js';
import { KeySpace } from './windows/key-space.js';
import { BruteForceDetector, bruteForceConfigSchema } from './login/brute-force.js';
import { CredentialStuffingDetector, credentialStuffingConfigSchema } from './login/credential-stuffing.js';
import { DistributedAttackDetector, distributedAttackConfigSchema } from './login/distributed-attack.js';
import { ImpossibleTravelDetector, impossibleTravelConfigSchema } from './login/impossible-travel.js';
import { PasswordSprayingDetector, passwordSprayingConfigSchema } from './login/password-spraying.js';
import { SuspiciousUserAgentDetector, suspiciousUserAgentConfigSchema } from './login/suspicious-user-agent.js';
import { ViolationDetector, violationConfigSchema } from './violations/violation.js';
import { KnownThreatSourceDetector, knownThreatSourceConfigSchema } from './intel/known-threat-source.js';
import { IocMatcher } from '../intel/matcher.js';
import { PortScanDetector, portScanConfigSchema } from './web/port-scan.js';
import { WebAttackDetector, webAttackConfigSchema } from './web/web-attack-detector.js';

/** Every detector's options, under `detectors.<name>`. */
export const detectorsConfigSchema = Type.Object(
  {
    bruteForce: bruteForceConfigSchema,
    credentialStuffing: credentialStuffingConfigSchema,
    passwordSpraying: passwordSprayingConfigSchema,
    distributedAttack: distributedAttackConfigSchema,
    accountTakeover: accountTakeoverConfigSchema,
    impossibleTravel: impossibleTravelConfigSchema,
    suspiciousUserAgent: suspiciousUserAgentConfigSchema,
    anomalousLogin: anomalousLoginConfigSchema,
    webAttack: webAttackConfigSchema,
    portScan: portScanConfigSchema,
    violation: violationConfigSchema,
    knownThreatSource: knownThreatSourceConfigSchema,
  },
  { additionalProperties: false, default: {} },
);

export interface DetectorDeps {
  geoip: GeoIpConfig;
  /** Resolves relative paths (model file) against the data dir. */
  resolvePath: (path: string) => string;
  /** A GeoIP reader to share (else one is opened when geoip.enabled). */
  locator?: GeoLocator;
  /** The IOCs in memory (intel); absent: an empty matcher (nothing matches). */
  iocMatcher?: IocMatcher;
}

/**
 * One index of the latest failure per IP for the IP-keyed login detectors
 * that are enabled, sized for the largest of their bounds and windows.
 */
function sharedFailureIndex(config: Static<typeof detectorsConfigSchema>): FailureIndex | undefined {
  const users = [config.bruteForce, config.credentialStuffing, config.passwordSpraying, config.accountTakeover].filter((c) => c.enabled);
  if (users.length === 0) return undefined;
  return new FailureIndex({
    maxTrackedIps: Math.max(...users.map((c) => c.maxTrackedIps)),
    horizonMs: Math.max(...users.map((c) => 2 * c.windowSeconds * 1000)),
  });
}

/** Detector registry: one line per detector, enabled by its config. */
export function createDetectors(
  config: Static<typeof detectorsConfigSchema>,
  listener: DetectionListener,
  ids: IdGenerator,
  deps: DetectorDeps,
): Detector[] {
  const detectors: Detector[] = [];
  const add = (enabled: boolean, make: () => Detector) => {
    if (enabled) detectors.push(make());
  };
  const index = sharedFailureIndex(config);
  if (index !== undefined) detectors.push(index);
  add(config.bruteForce.enabled, () => new BruteForceDetector(config.bruteForce, listener, ids, index));
  add(config.credentialStuffing.enabled, () => new CredentialStuffingDetector(config.credentialStuffing, listener, ids, index));
  add(config.passwordSpraying.enabled, () => new PasswordSprayingDetector(config.passwordSpraying, listener, ids, config.credentialStuffing, index));
  // One table of usernames for the per-user login detectors: each name held once.
  const userKeys = new KeySpace();
  add(config.distributedAttack.enabled, () => new DistributedAttackDetector(config.distributedAttack, listener, ids, userKeys));
  add(config.accountTakeover.enabled, () => new AccountTakeoverDetector(config.accountTakeover, listener, ids, index, userKeys));
  add(config.impossibleTravel.enabled, () => {
    const geo = deps.locator ?? (deps.geoip.enabled ? new GeoIp(deps.geoip) : undefined);
    return new ImpossibleTravelDetector(config.impossibleTravel, listener, ids, geo, userKeys);
  });
  add(config.suspiciousUserAgent.enabled, () => new SuspiciousUserAgentDetector(config.suspiciousUserAgent, listener, ids));
  add(config.anomalousLogin.enabled, () => {
    const path = config.anomalousLogin.modelPath;
    const model = path === undefined ? undefined : IsolationForest.load(deps.resolvePath(path));
    return new AnomalousLoginDetector(config.anomalousLogin, listener, ids, model);
  });
  add(config.webAttack.enabled, () => new WebAttackDetector(config.webAttack, listener, ids));
  add(config.portScan.enabled, () => new PortScanDetector(config.portScan, listener, ids));
  add(config.violation.enabled, () => new ViolationDetector(config.violation, listener, ids));
  add(config.knownThreatSource.enabled, () => new KnownThreatSourceDetector(config.knownThreatSource, listener, ids, deps.iocMatcher ?? new IocMatcher()));
  return detectors;
}

