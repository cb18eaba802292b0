import { readFileSync } from 'node:fs';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Detection } from '../../../core/detection.js';
import type { SecurityEvent } from '../../../core/event.js';
import { IdGenerator } from '../../../core/ids.js';
import { geoIpConfigSchema, type GeoLocator } from '../../../enrich/geoip.js';
import { createDetectors, detectorsConfigSchema } from '../../index.js';
import { normalizeNative } from '../../../parsers/native-json.js';
import type { DetectionListener, Detector } from '../../detector.js';
import { ATTACK_TYPES, type AttackType } from './generator.js';

/** A component's configuration with every default filled in. */
export function defaults<S extends TSchema>(schema: S): Static<S> {
  return Value.Default(schema, {}) as Static<S>;
}

/**
 * Every login detector with its default configuration, built by the same
 * registry as the service (so they share state the way they do there).
 */
export function createLoginDetectors(listener: DetectionListener, ids: IdGenerator, geo: GeoLocator | undefined): Detector[] {
  const config = defaults(detectorsConfigSchema);
  for (const name of ['anomalousLogin', 'webAttack', 'portScan', 'violation'] as const) config[name].enabled = false;
  return createDetectors(config, listener, ids, { geoip: defaults(geoIpConfigSchema), resolvePath: (path) => path, locator: geo });
}

export interface RunResult {
  detections: Detection[];
  seconds: number;
  events: number;
}

/**
 * Runs detectors over events in delivery order the way the pipeline does:
 * every event to every detector, the watermark (largest event time seen)
 * advanced after each batch, everything flushed at the end.
 */
export function runDetectors(events: readonly SecurityEvent[], make: (listener: DetectionListener) => Detector[], batchSize = 512): RunResult {
  const detections: Detection[] = [];
  const detectors = make({ opened: () => {}, closed: (d) => detections.push(d) });
  let watermark = Number.NEGATIVE_INFINITY;
  const started = performance.now();
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as SecurityEvent;
    if (event.timestamp > watermark) watermark = event.timestamp;
    for (let d = 0; d < detectors.length; d++) (detectors[d] as Detector).onEvent(event);
    if ((i + 1) % batchSize === 0) for (const detector of detectors) detector.advance(watermark);
  }
  for (const detector of detectors) detector.advance(watermark);
  for (const detector of detectors) detector.flush();
  return { detections, seconds: (performance.now() - started) / 1000, events: events.length };
}

const USER_SUBJECT = new Set<string>(['distributed_attack', 'account_takeover', 'impossible_travel']);

/** The subject a detection is about: the username for per-account types, else the source (IP or range). */
export function subjectOf(detection: Detection): string | undefined {
  return USER_SUBJECT.has(detection.type) ? detection.username : detection.sourceIp;
}

export interface ScoreRow {
  type: AttackType;
  truth: number;
  detected: number;
  truePositives: number;
  precision: number;
  recall: number;
  falsePositives: string[];
  falseNegatives: string[];
}

/** Subject-level precision and recall per detection type. */
export function score(
  detections: readonly Detection[],
  truth: Map<AttackType, Set<string>>,
  types: readonly AttackType[] = ATTACK_TYPES,
  scoreFrom = Number.NEGATIVE_INFINITY,
): ScoreRow[] {
  const detectedByType = new Map<string, Set<string>>();
  for (const d of detections) {
    if (d.detectedAt < scoreFrom) continue;
    const subject = subjectOf(d);
    if (subject === undefined) continue;
    let set = detectedByType.get(d.type);
    if (set === undefined) detectedByType.set(d.type, (set = new Set()));
    set.add(subject);
  }
  return types.map((type) => {
    const expected = truth.get(type) ?? new Set<string>();
    const found = detectedByType.get(type) ?? new Set<string>();
    let tp = 0;
    const falsePositives: string[] = [];
    for (const s of found) {
      if (expected.has(s)) tp++;
      else falsePositives.push(s);
    }
    const falseNegatives = [...expected].filter((s) => !found.has(s));
    return {
      type,
      truth: expected.size,
      detected: found.size,
      truePositives: tp,
      precision: found.size === 0 ? (expected.size === 0 ? 1 : 0) : tp / found.size,
      recall: expected.size === 0 ? 1 : tp / expected.size,
      falsePositives,
      falseNegatives,
    };
  });
}

export function formatTable(rows: readonly ScoreRow[]): string {
  const header = ['type', 'truth', 'detected', 'TP', 'FP', 'FN', 'precision', 'recall'];
  const lines = rows.map((r) => [
    r.type,
    String(r.truth),
    String(r.detected),
    String(r.truePositives),
    String(r.falsePositives.length),
    String(r.falseNegatives.length),
    r.precision.toFixed(3),
    r.recall.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}

/** Events of a gen-sshd-log.py --format ndjson file, parsed as the native parser does. */
export function loadNativeNdjson(path: string): SecurityEvent[] {
  const ids = new IdGenerator('ev', 'eval');
  const events: SecurityEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    const outcome = normalizeNative(JSON.parse(line) as unknown, { ids, now: () => 0 });
    if (outcome.event !== undefined) events.push(outcome.event);
  }
  return events;
}

interface SshdTruthFile {
  attackers: {
    brute_force: string[];
    credential_stuffing: string[];
    password_spraying: string[];
    distributed: { target_user: string; ips: string[] }[];
  };
  compromised: { ip: string; user: string }[];
  derived: {
    ips_ge5_fail_in_5min: string[];
    ips_ge10_fail_ge5_users_in_10min: string[];
  };
}

/**
 * Truth for a gen-sshd-log.py file. Intended campaign types map directly,
 * except brute force: its truth is the file's own derived set (≥ 5 failures
 * in 5 min), which contains every stuffing IP as well — the brute-force rule
 * matches them by design. Takeover truth is the compromised usernames.
 * The file has no labels for travel or user agents.
 */
export function sshdTruth(path: string): Map<AttackType, Set<string>> {
  const file = JSON.parse(readFileSync(path, 'utf8')) as SshdTruthFile;
  return new Map<AttackType, Set<string>>([
    ['brute_force', new Set(file.derived.ips_ge5_fail_in_5min)],
    ['credential_stuffing', new Set(file.attackers.credential_stuffing)],
    ['password_spraying', new Set(file.attackers.password_spraying)],
    ['distributed_attack', new Set(file.attackers.distributed.map((d) => d.target_user))],
    ['account_takeover', new Set(file.compromised.map((c) => c.user))],
  ]);
}
