import type { SecurityEvent } from '../../core/event.js';
import { FEATURE_NAMES, isLoginEvent, loginFeatures } from './features.js';
import { IsolationForest, type IsolationForestOptions } from './isolation-forest.js';

/** What `vigil model train` and `vigil model score` call. */
export interface TrainOptions extends Partial<IsolationForestOptions> {
  /** Days of history before the newest event to train on (default 7). */
  days?: number;
  /** Write the model here when given. */
  out?: string;
}

const DAY_MS = 86_400_000;

/** The successful logins within `days` before the newest event (the training set the spec asks for). */
export function trainingLogins(events: readonly SecurityEvent[], days = 7): SecurityEvent[] {
  let newest = Number.NEGATIVE_INFINITY;
  for (const e of events) if (e.kind === 'login.success' && e.timestamp > newest) newest = e.timestamp;
  const from = newest - days * DAY_MS;
  return events.filter((e) => e.kind === 'login.success' && e.timestamp >= from);
}

export function trainFromEvents(events: readonly SecurityEvent[], options: TrainOptions = {}): IsolationForest {
  const logins = trainingLogins(events, options.days ?? 7);
  if (logins.length < 2) throw new RangeError(`need at least 2 successful logins in the last ${options.days ?? 7} days, found ${logins.length}`);
  const forest = IsolationForest.train(
    logins.map((e) => loginFeatures(e)),
    options,
  );
  if (options.out !== undefined) forest.save(options.out);
  return forest;
}

export interface ScoredEvent {
  id: string;
  timestamp: number;
  sourceIp: string;
  username: string | undefined;
  /** Paper score s ∈ (0, 1]. */
  score: number;
  /** scikit-learn decision_function. */
  decision: number;
  anomalous: boolean;
}

/** Scores every login event; `anomalous` when decision < threshold (default −0.5, as the spec). */
export function scoreEvents(events: readonly SecurityEvent[], model: IsolationForest, threshold = -0.5): ScoredEvent[] {
  const features: number[] = new Array<number>(FEATURE_NAMES.length);
  const out: ScoredEvent[] = [];
  for (const e of events) {
    if (!isLoginEvent(e)) continue;
    loginFeatures(e, features);
    const score = model.score(features);
    const decision = -score - model.offset;
    out.push({ id: e.id, timestamp: e.timestamp, sourceIp: e.sourceIp, username: e.username, score, decision, anomalous: decision < threshold });
  }
  return out;
}
