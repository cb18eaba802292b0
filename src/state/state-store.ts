import type { Decision } from '../core/detection.js';

/** One failure to add to the window of `key` (an IP for brute force). */
export interface WindowEntry {
  key: string;
  /** Event time (ms). */
  time: number;
  /** Unique per entry (the event id): adding the same entry twice counts it once. */
  id: string;
}

/** Where a key's window stands after an add, across every instance sharing the store. */
export interface WindowCount {
  /** Entries within [newest - windowMs, newest]. */
  count: number;
  /** The oldest entry time in that window. */
  firstSeen: number;
  /** The newest entry time of the key. */
  newest: number;
}

/** A decision made (or deleted) by one instance, announced to the others. */
export interface DecisionUpdate {
  type: 'added' | 'deleted';
  decision: Decision;
  /** The instance that made the change (an instance ignores its own). */
  instance: string;
}

/**
 * State shared by the Vigil instances of one deployment: keyed sliding
 * windows (failures per IP), one-winner claims (so one instance raises a
 * shared detection), active decisions, and a feed of decision changes.
 * In memory by default (one instance); Redis for several.
 *
 * Calls are asynchronous and meant to be made once per pipeline batch, not
 * per event: the detectors' own hot path never waits on a store.
 */
export interface StateStore {
  readonly kind: 'memory' | 'redis';
  /** Add entries; for each key touched, its count in the last `windowMs` (entries older than 2 × windowMs are dropped). */
  addToWindows(name: string, entries: readonly WindowEntry[], windowMs: number): Promise<Map<string, WindowCount>>;
  /** True for exactly one caller per `claim` until `ttlMs` (wall clock) has passed. */
  claim(claim: string, ttlMs: number): Promise<boolean>;
  /** Store an active decision (by id), kept until its `until`. */
  putDecision(decision: Decision): Promise<void>;
  deleteDecision(id: string): Promise<void>;
  /** Every stored decision still active at `now`. */
  activeDecisions(now: number): Promise<Decision[]>;
  /** Announce a decision change to every subscriber (all instances). */
  publishDecision(update: DecisionUpdate): Promise<void>;
  /** Receive decision changes; resolves once subscribed. */
  subscribeDecisions(listener: (update: DecisionUpdate) => void): Promise<void>;
  close(): Promise<void>;
}
