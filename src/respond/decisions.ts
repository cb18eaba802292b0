import { Type, type Static } from '@sinclair/typebox';
import type { Decision } from '../core/detection.js';
import { canonicalIp } from '../core/ip.js';
import { parseAddress } from './address.js';
import { AddressSet } from './address-set.js';
import type { Allowlist, AllowlistEntry } from './allowlist.js';

export { renderIpset, renderNftables, renderNginxDeny, enforceableBlocks } from './decision-export.js';
export { toCrowdsecDecision, toCrowdsecStream, goDuration } from './crowdsec.js';

export const decisionsConfigSchema = Type.Object(
  {
    maxActive: Type.Integer({
      minimum: 1,
      default: 1_000_000,
      description: 'Memory bound: active decisions; beyond it the one expiring soonest is dropped early (streamed as deleted, counted).',
    }),
    maxChanges: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Decision changes kept for stream clients (bouncers); a client further behind gets a full resync.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type DecisionsConfig = Static<typeof decisionsConfigSchema>;

export interface NewDecision {
  /** Inferred from the value when left out: a CIDR is `range`, an address `ip`. */
  scope?: Decision['scope'];
  value: string;
  action?: Decision['action'];
  /** How long from `now`; or give `until`. */
  durationMs?: number;
  until?: number;
  reason: string;
  origin: string;
  simulated?: boolean;
}

export type AddOutcome =
  /** Stored; `replaced` is the decision for the same scope+value it superseded. */
  | { status: 'added'; decision: Decision; replaced?: Decision }
  /** An equal or stronger decision for the same scope+value is already active; it is returned. */
  | { status: 'unchanged'; decision: Decision }
  /** The value (or part of the range) is allowlisted: nothing was stored. */
  | { status: 'allowlisted'; allowlisted: AllowlistEntry };

export type ChangeCause = 'deleted' | 'expired' | 'replaced' | 'evicted';

export interface DecisionChange {
  /** Monotonically increasing, one per change, starting at 1. */
  seq: number;
  type: 'added' | 'deleted';
  decision: Decision;
  /** Event time of the change. */
  at: number;
  /** Why a decision was deleted. */
  cause?: ChangeCause;
}

export interface ChangesSince {
  changes: DecisionChange[];
  /** The client is too far behind (or ahead: another run): it must fetch the full active list. */
  resync: boolean;
  /** Sequence number of the latest change; ask for changes since it next time. */
  lastSeq: number;
}

export interface DecisionStreamResult {
  /** Decisions to apply (all active ones on startup / resync). */
  new: Decision[];
  /** Decisions to remove. */
  deleted: Decision[];
  lastSeq: number;
  resync: boolean;
}

export interface DecisionFilter {
  scope?: Decision['scope'];
  /** Exact value (canonical IP, CIDR or user). */
  value?: string;
  /** Decisions applying to this IP (exact or through a range). */
  ip?: string;
  origin?: string;
  action?: Decision['action'];
  /** Include simulated decisions (default true for listings, false for streams and exports). */
  includeSimulated?: boolean;
}

/** A decision that cannot be made as asked (bad value, scope or duration). */
export class DecisionError extends Error {
  readonly code = 'VIGIL_E_DECISION';
  constructor(message: string) {
    super(message);
    this.name = 'DecisionError';
  }
}

const ACTION_STRENGTH: Record<Decision['action'], number> = { throttle: 0, captcha: 1, block: 2 };

interface HeapItem {
  until: number;
  id: string;
}

export interface DecisionStoreOptions {
  config: DecisionsConfig;
  /** Checked for every decision, whatever its origin. */
  allowlist?: Allowlist;
  /** First numeric id (CrowdSec bouncers expect integer ids); seed it from persisted state. */
  firstId?: number;
  /** First change sequence number; seed it from persisted state so clients do not see numbers go back. */
  firstSeq?: number;
}

/**
 * Active decisions (block / captcha / throttle an IP, a range or a user until
 * an event time), with a change feed for stream clients.
 *
 *  - One decision per scope+value: a new one replaces the active one when it
 *    is manual, has a stronger action, or lasts longer (same action); else
 *    the active one stands. A real decision replaces a simulated one, never
 *    the reverse. Replacing is a deletion plus an addition in the feed.
 *  - `lookup(ip)`: a Map for exact IPs, a BlockList for ranges; simulated
 *    decisions are recorded and listed but never enforced.
 *  - Expiry in event time: `expire(now)` removes (and returns) every decision
 *    whose `until` is at or before `now`, using a min-heap on `until`.
 *  - Every change gets the next sequence number; `changesSince(n)` serves
 *    `/v1/decisions/stream`; the last `maxChanges` are kept.
 */
export class DecisionStore {
  private readonly byId = new Map<string, Decision>();
  private readonly byKey = new Map<string, Decision>();
  private readonly ranges = new AddressSet<Decision>();
  private readonly heap: HeapItem[] = [];
  private readonly changes: DecisionChange[] = [];
  private nextId: number;
  private seq: number;
  private readonly config: DecisionsConfig;
  private readonly allowlist: Allowlist | undefined;
  /** Decisions dropped early because maxActive was reached. */
  evicted = 0;

  constructor(options: DecisionStoreOptions) {
    this.config = options.config;
    this.allowlist = options.allowlist;
    this.nextId = options.firstId ?? 1;
    this.seq = (options.firstSeq ?? 1) - 1;
  }

  /** Decisions held (active, simulated included; expired ones until `expire` runs). */
  get size(): number {
    return this.byId.size;
  }

  get lastSeq(): number {
    return this.seq;
  }

  add(input: NewDecision, now: number): AddOutcome {
    const { scope, value } = normalizeTarget(input);
    const until = input.until ?? (input.durationMs !== undefined ? now + input.durationMs : Number.NaN);
    if (!Number.isFinite(until)) throw new DecisionError('a decision needs a finite duration or until');
    if (until <= now) throw new DecisionError(`decision for ${value} would already be expired (until ≤ now)`);
    if (this.allowlist !== undefined && scope !== 'user') {
      const allowlisted = scope === 'ip' ? this.allowlist.match(value, now) : this.allowlist.overlapping(value, now);
      if (allowlisted !== undefined) return { status: 'allowlisted', allowlisted };
    }
    const action = input.action ?? 'block';
    const simulated = input.simulated === true;
    const key = `${scope}|${value}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined && existing.until > now && !supersedes(input.origin, action, until, simulated, existing)) {
      return { status: 'unchanged', decision: existing };
    }
    if (existing !== undefined) this.remove(existing, now, existing.until > now ? 'replaced' : 'expired');
    if (this.byId.size >= this.config.maxActive) this.evictOne(now);
    const decision: Decision = {
      id: String(this.nextId++),
      scope,
      value,
      action,
      until,
      reason: input.reason,
      origin: input.origin,
      createdAt: now,
    };
    if (simulated) decision.simulated = true;
    this.byId.set(decision.id, decision);
    this.byKey.set(key, decision);
    if (scope === 'range' && !simulated) this.ranges.add(value, decision, until);
    this.heapPush({ until, id: decision.id });
    this.record('added', decision, now);
    return existing !== undefined && existing.until > now
      ? { status: 'added', decision, replaced: existing }
      : { status: 'added', decision };
  }

  get(id: string): Decision | undefined {
    return this.byId.get(id);
  }

  /** Delete one decision (operator action); recorded in the feed. */
  delete(id: string, now: number): Decision | undefined {
    const decision = this.byId.get(id);
    if (decision === undefined) return undefined;
    this.remove(decision, now, 'deleted');
    return decision;
  }

  /** Delete every active decision matching the filter; returns them. */
  deleteWhere(filter: DecisionFilter, now: number): Decision[] {
    const matched = this.list(now, filter);
    for (const decision of matched) this.remove(decision, now, 'deleted');
    return matched;
  }

  /** Active decisions (until > now) matching the filter, oldest first. */
  list(now: number, filter: DecisionFilter = {}): Decision[] {
    const includeSimulated = filter.includeSimulated ?? true;
    let ipTarget: ReturnType<typeof parseAddress> | undefined;
    if (filter.ip !== undefined) {
      ipTarget = parseAddress(filter.ip);
    }
    const value = filter.value !== undefined ? canonicalValue(filter.value) : undefined;
    const result: Decision[] = [];
    for (const decision of this.byId.values()) {
      if (decision.until <= now) continue;
      if (!includeSimulated && decision.simulated === true) continue;
      if (filter.scope !== undefined && decision.scope !== filter.scope) continue;
      if (value !== undefined && decision.value !== value) continue;
      if (filter.origin !== undefined && decision.origin !== filter.origin) continue;
      if (filter.action !== undefined && decision.action !== filter.action) continue;
      if (ipTarget !== undefined) {
        if (decision.scope === 'user') continue;
        const target = parseAddress(decision.value);
        if (!(target.family === ipTarget.family && target.start <= ipTarget.start && ipTarget.end <= target.end)) continue;
      }
      result.push(decision);
    }
    return result;
  }

  /**
   * The enforceable decision for `ip` at `now`: the exact-IP decision, else
   * the narrowest covering range. Simulated decisions are never returned.
   */
  lookup(ip: string, now: number): Decision | undefined {
    const canonical = canonicalIp(ip);
    if (canonical === undefined) return undefined;
    const exact = this.byKey.get(`ip|${canonical}`);
    if (exact !== undefined && exact.until > now && exact.simulated !== true) return exact;
    if (this.ranges.size === 0) return undefined;
    return this.ranges.match(canonical, now)?.data;
  }

  /** The enforceable decision for a username. */
  lookupUser(username: string, now: number): Decision | undefined {
    const decision = this.byKey.get(`user|${username}`);
    return decision !== undefined && decision.until > now && decision.simulated !== true ? decision : undefined;
  }

  /** Remove decisions whose `until` is at or before `now`; returns them (each recorded as a deletion). */
  expire(now: number): Decision[] {
    const expired: Decision[] = [];
    const heap = this.heap;
    while (heap.length > 0 && (heap[0] as HeapItem).until <= now) {
      const item = this.heapPop() as HeapItem;
      const decision = this.byId.get(item.id);
      if (decision === undefined || decision.until !== item.until) continue;
      this.remove(decision, now, 'expired');
      expired.push(decision);
    }
    return expired;
  }

  /** Changes after sequence number `since` (0 = from the beginning of the kept history). */
  changesSince(since: number): ChangesSince {
    const changes = this.changes;
    const lastSeq = this.seq;
    if (since > lastSeq) return { changes: [], resync: true, lastSeq };
    if (since === lastSeq) return { changes: [], resync: false, lastSeq };
    const firstKept = changes.length > 0 ? (changes[0] as DecisionChange).seq : lastSeq + 1;
    if (since < firstKept - 1) return { changes: [], resync: true, lastSeq };
    return { changes: changes.slice(since - firstKept + 1), resync: false, lastSeq };
  }

  /**
   * CrowdSec-style stream: `since` undefined (startup) or too old → every
   * active decision as `new`; else the decisions added since (and still
   * active) as `new` and those removed since as `deleted`. Expires first.
   * Simulated decisions are left out unless asked for.
   */
  stream(since: number | undefined, now: number, options: { includeSimulated?: boolean; scopes?: Decision['scope'][] } = {}): DecisionStreamResult {
    this.expire(now);
    const includeSimulated = options.includeSimulated ?? false;
    const keep = (d: Decision): boolean =>
      (includeSimulated || d.simulated !== true) && (options.scopes === undefined || options.scopes.includes(d.scope));
    const delta = since === undefined ? undefined : this.changesSince(since);
    if (delta === undefined || delta.resync) {
      return { new: this.list(now, { includeSimulated }).filter(keep), deleted: [], lastSeq: this.seq, resync: delta !== undefined };
    }
    const added = new Map<string, Decision>();
    const deleted = new Map<string, Decision>();
    for (const change of delta.changes) {
      const d = change.decision;
      if (!keep(d)) continue;
      if (change.type === 'added') {
        added.set(d.id, d);
      } else {
        added.delete(d.id);
        deleted.set(d.id, d);
      }
    }
    const fresh = [...added.values()].filter((d) => this.byId.get(d.id) === d && d.until > now);
    // A value removed and re-added (replaced) in the same delta is only "new": a bouncer
    // applying deletions after additions would otherwise unblock it.
    const freshKeys = new Set(fresh.map((d) => `${d.scope}|${d.value}`));
    const gone = [...deleted.values()].filter((d) => !freshKeys.has(`${d.scope}|${d.value}`));
    return { new: fresh, deleted: gone, lastSeq: this.seq, resync: false };
  }

  private remove(decision: Decision, now: number, cause: ChangeCause): void {
    if (!this.byId.delete(decision.id)) return;
    const key = `${decision.scope}|${decision.value}`;
    if (this.byKey.get(key) === decision) this.byKey.delete(key);
    if (decision.scope === 'range' && this.ranges.get(decision.value)?.data === decision) this.ranges.remove(decision.value);
    this.record('deleted', decision, now, cause);
  }

  private evictOne(now: number): void {
    while (this.heap.length > 0) {
      const item = this.heapPop() as HeapItem;
      const decision = this.byId.get(item.id);
      if (decision === undefined || decision.until !== item.until) continue;
      this.remove(decision, now, 'evicted');
      this.evicted++;
      return;
    }
  }

  private record(type: 'added' | 'deleted', decision: Decision, at: number, cause?: ChangeCause): void {
    const change: DecisionChange = { seq: ++this.seq, type, decision, at };
    if (cause !== undefined) change.cause = cause;
    const changes = this.changes;
    changes.push(change);
    // Trim in chunks so that steady state costs O(1) amortised per change.
    const max = this.config.maxChanges;
    if (changes.length >= max + Math.max(1, Math.ceil(max / 10))) changes.splice(0, changes.length - max);
  }

  private heapPush(item: HeapItem): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as HeapItem).until <= item.until) break;
      heap[i] = heap[parent] as HeapItem;
      i = parent;
    }
    heap[i] = item;
  }

  private heapPop(): HeapItem | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as HeapItem).until < (heap[left] as HeapItem).until ? right : left;
      if ((heap[child] as HeapItem).until >= last.until) break;
      heap[i] = heap[child] as HeapItem;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

/** Does a new decision replace the active `existing` one for the same scope+value? */
function supersedes(origin: string, action: Decision['action'], until: number, simulated: boolean, existing: Decision): boolean {
  const existingSimulated = existing.simulated === true;
  if (simulated && !existingSimulated) return false;
  if (!simulated && existingSimulated) return true;
  if (origin === 'manual') return true;
  const strength = ACTION_STRENGTH[action] - ACTION_STRENGTH[existing.action];
  if (strength !== 0) return strength > 0;
  return until > existing.until;
}

function canonicalValue(value: string): string {
  try {
    return parseAddress(value).value;
  } catch {
    return value;
  }
}

function normalizeTarget(input: NewDecision): { scope: Decision['scope']; value: string } {
  if (input.scope === 'user') {
    if (input.value === '') throw new DecisionError('a user decision needs a username');
    return { scope: 'user', value: input.value };
  }
  const parsed = parseAddress(input.value);
  if (input.scope === 'ip' && !parsed.exact) {
    throw new DecisionError(`"${input.value}" is a range: use scope "range" for it`);
  }
  if (parsed.prefix === 0) throw new DecisionError(`refusing to decide on "${input.value}": it covers every address`);
  // A full-length range (/32, /128) is a single IP: one key, one lookup path.
  return { scope: parsed.exact ? 'ip' : 'range', value: parsed.value };
}
