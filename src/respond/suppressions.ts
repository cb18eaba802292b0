import { Type, type Static } from '@sinclair/typebox';
import type { Detection } from '../core/detection.js';
import { IdGenerator } from '../core/ids.js';
import { tryParseAddress } from './address.js';
import { subjectOf } from './incidents.js';

export const suppressionsConfigSchema = Type.Object(
  {
    maxEntries: Type.Integer({
      minimum: 1,
      default: 10_000,
      description: 'Memory bound: suppressions kept; beyond it the one expiring soonest is dropped (counted).',
    }),
    defaultSeconds: Type.Integer({
      minimum: 1,
      default: 604_800,
      description: 'How long a suppression lasts when none is given (default 7 days).',
    }),
    maxSeconds: Type.Integer({ minimum: 1, default: 7_776_000, description: 'Longest suppression accepted (default 90 days).' }),
  },
  { additionalProperties: false, default: {} },
);
export type SuppressionsConfig = Static<typeof suppressionsConfigSchema>;

/** "Detector D is wrong about subject S until T": its detections of S raise no incident and no decision. */
export interface Suppression {
  id: string;
  detector: string;
  scope: 'ip' | 'user';
  /** Canonical IP (or the range a detector reports), or a user name. */
  value: string;
  /** Epoch ms after which detections count again. */
  until: number;
  reason: string;
  createdAt: number;
  /** Who asked for it (the API principal). */
  createdBy: string;
  /** The incident marked false positive, when it came from analyst feedback. */
  incidentId?: string;
}

export interface NewSuppression {
  detector: string;
  scope: 'ip' | 'user';
  value: string;
  /** From `now`; defaults to config.defaultSeconds. */
  durationSeconds?: number;
  reason: string;
  createdBy: string;
  incidentId?: string;
}

export class SuppressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuppressionError';
  }
}

/**
 * Analyst suppressions per (detector, subject), in memory and bounded. The
 * response stage asks `match` for every detection before scoring it; with
 * no suppression the check is one size test.
 */
export class Suppressions {
  private readonly byKey = new Map<string, Suppression>();
  private readonly ids = new IdGenerator('sup');
  /** Dropped early because maxEntries was reached. */
  evicted = 0;
  /** Detections ignored because of a suppression. */
  matched = 0;

  constructor(private readonly config: SuppressionsConfig) {}

  get size(): number {
    return this.byKey.size;
  }

  /** Add (or extend: the same detector and subject keep one entry, the later `until` wins). */
  add(input: NewSuppression, now: number): Suppression {
    const detector = input.detector.trim();
    if (detector === '') throw new SuppressionError('a suppression needs a detector name');
    const value = normalizeValue(input.scope, input.value);
    const seconds = this.checkDuration(input.durationSeconds);
    const key = keyOf(detector, input.scope, value);
    const existing = this.byKey.get(key);
    const until = now + seconds * 1000;
    if (existing !== undefined && existing.until > now) {
      if (until > existing.until) existing.until = until;
      existing.reason = input.reason;
      return existing;
    }
    this.byKey.delete(key);
    if (this.byKey.size >= this.config.maxEntries) this.evictSoonest(now);
    const suppression: Suppression = {
      id: this.ids.next(),
      detector,
      scope: input.scope,
      value,
      until,
      reason: input.reason,
      createdAt: now,
      createdBy: input.createdBy,
    };
    if (input.incidentId !== undefined) suppression.incidentId = input.incidentId;
    this.byKey.set(key, suppression);
    return suppression;
  }

  /** The duration to use (seconds); throws SuppressionError when out of bounds. */
  checkDuration(durationSeconds: number | undefined): number {
    const seconds = durationSeconds ?? this.config.defaultSeconds;
    if (!Number.isFinite(seconds) || seconds <= 0) throw new SuppressionError('the duration must be positive');
    if (seconds > this.config.maxSeconds) throw new SuppressionError(`a suppression lasts at most ${this.config.maxSeconds} seconds`);
    return seconds;
  }

  /** The active suppression covering this detection at event time `now`, if any (counted). */
  match(detection: Detection, now: number): Suppression | undefined {
    if (this.byKey.size === 0) return undefined;
    const subject = subjectOf(detection);
    if (subject === undefined) return undefined;
    const value = subject.scope === 'ip' ? (tryParseAddress(subject.value)?.value ?? subject.value) : subject.value;
    const key = keyOf(detection.detector, subject.scope, value);
    const found = this.byKey.get(key);
    if (found === undefined) return undefined;
    if (found.until <= now) {
      this.byKey.delete(key);
      return undefined;
    }
    this.matched++;
    return found;
  }

  remove(id: string): Suppression | undefined {
    for (const [key, suppression] of this.byKey) {
      if (suppression.id === id) {
        this.byKey.delete(key);
        return suppression;
      }
    }
    return undefined;
  }

  /** Active suppressions (expired ones are dropped), oldest first. */
  list(now: number): Suppression[] {
    const out: Suppression[] = [];
    for (const [key, suppression] of this.byKey) {
      if (suppression.until <= now) this.byKey.delete(key);
      else out.push(suppression);
    }
    return out;
  }

  private evictSoonest(now: number): void {
    let soonest: [string, Suppression] | undefined;
    for (const entry of this.byKey) {
      if (entry[1].until <= now) {
        this.byKey.delete(entry[0]);
        return;
      }
      if (soonest === undefined || entry[1].until < soonest[1].until) soonest = entry;
    }
    if (soonest !== undefined) {
      this.byKey.delete(soonest[0]);
      this.evicted++;
    }
  }
}

function keyOf(detector: string, scope: 'ip' | 'user', value: string): string {
  return `${detector}|${scope}|${value}`;
}

function normalizeValue(scope: 'ip' | 'user', value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new SuppressionError('a suppression needs a subject value');
  if (scope === 'user') return trimmed;
  // Canonical form (as decisions use it); detectors may report a range as the subject (spraying from one /24).
  const address = tryParseAddress(trimmed);
  if (address !== undefined) return address.value;
  throw new SuppressionError(`"${value}" is not an IP address or range`);
}
