import type { Decision } from '../core/detection.js';
import type { DecisionStreamResult } from './decisions.js';

/**
 * A decision as CrowdSec's Local API returns it to bouncers.
 *
 * Source: crowdsecurity/crowdsec `pkg/models/decision.go` (generated from
 * `pkg/models/localapi_swagger.yaml`, definition `Decision`): `duration`,
 * `origin`, `scenario`, `scope`, `type`, `value` required; `id` (int64,
 * read-only), `simulated` (read-only), `until` and `uuid` optional. The LAPI
 * controller (`pkg/apiserver/controllers/v1/decisions.go`, FormatDecisions)
 * fills `duration` with Go's `time.Duration.String()` of the time left, e.g.
 * `59m59s`, `3h0m0s` — bouncers read it with `time.ParseDuration`. The
 * stream endpoint (`GET /v1/decisions/stream?startup=true`) answers
 * `DecisionsStreamResponse` = `{ new: Decision[], deleted: Decision[] }`.
 */
export interface CrowdsecDecision {
  id: number;
  origin: string;
  /** `ban`, `captcha`, or a custom type (we use `throttle`). */
  type: string;
  /** `Ip`, `Range`, or a custom scope (we use `Username`). */
  scope: string;
  value: string;
  duration: string;
  /** RFC 3339. */
  until: string;
  scenario: string;
  simulated: boolean;
}

export interface CrowdsecStreamResponse {
  new: CrowdsecDecision[];
  deleted: CrowdsecDecision[];
}

const TYPES: Record<Decision['action'], string> = { block: 'ban', captcha: 'captcha', throttle: 'throttle' };
const SCOPES: Record<Decision['scope'], string> = { ip: 'Ip', range: 'Range', user: 'Username' };

/** Go's `time.Duration.String()` for whole seconds: `0s`, `59s`, `59m59s`, `1h0m0s`, `168h0m0s`. */
export function goDuration(ms: number): string {
  const negative = ms < 0;
  let seconds = Math.floor(Math.abs(ms) / 1000);
  if (seconds === 0) return '0s';
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  let text = `${seconds}s`;
  if (hours > 0) text = `${hours}h${minutes}m${text}`;
  else if (minutes > 0) text = `${minutes}m${text}`;
  return negative ? `-${text}` : text;
}

/**
 * The CrowdSec LAPI shape of `decision` at event time `now` (duration = time
 * left). The scenario is the decision's reason. Ids are integers in CrowdSec:
 * the DecisionStore issues numeric ids; any other id is hashed to a positive
 * 31-bit integer.
 */
export function toCrowdsecDecision(decision: Decision, now: number): CrowdsecDecision {
  return {
    id: numericId(decision.id),
    origin: decision.origin,
    type: TYPES[decision.action],
    scope: SCOPES[decision.scope],
    value: decision.value,
    duration: goDuration(decision.until - now),
    until: new Date(decision.until).toISOString(),
    scenario: decision.reason,
    simulated: decision.simulated === true,
  };
}

/**
 * A DecisionStore stream result as the LAPI stream body. Empty lists are
 * `[]` (Go bouncers read `null` and `[]` alike; JavaScript ones may not).
 */
export function toCrowdsecStream(stream: DecisionStreamResult, now: number): CrowdsecStreamResponse {
  return {
    new: stream.new.map((d) => toCrowdsecDecision(d, now)),
    deleted: stream.deleted.map((d) => toCrowdsecDecision(d, now)),
  };
}

function numericId(id: string): number {
  if (/^\d{1,15}$/.test(id)) return Number(id);
  // FNV-1a, so a foreign id maps to the same integer every time.
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 1) || 1;
}
