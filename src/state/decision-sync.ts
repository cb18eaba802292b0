import type { Logger } from 'pino';
import type { Decision } from '../core/detection.js';
import type { DecisionStore } from '../respond/decisions.js';
import type { DecisionUpdate, StateStore } from './state-store.js';

export interface DecisionSyncStats {
  /** Decisions of this instance written to the shared store. */
  shared: number;
  /** Decisions of other instances applied here. */
  applied: number;
  errors: number;
}

/**
 * Keeps the decisions of several instances in step through the StateStore:
 * a decision made here is stored (hash) and announced (pub/sub); one
 * announced by another instance is applied to the local DecisionStore, so
 * every instance's enforcement (middleware, bouncers, `/decisions`) blocks
 * what any instance decided. At start the active stored decisions are loaded,
 * so an instance that joins (or restarts) enforces what was decided before.
 * Decisions applied from elsewhere are not announced again (no loops).
 */
export class DecisionSync {
  readonly stats: DecisionSyncStats = { shared: 0, applied: 0, errors: 0 };

  constructor(
    private readonly options: {
      store: StateStore;
      decisions: DecisionStore;
      instance: string;
      /** The time decisions are judged at (event time / wall clock). */
      now: () => number;
      /** Called after remote decisions were applied (wakes stream clients). */
      changed?: () => void;
      logger?: Logger;
    },
  ) {}

  async start(): Promise<void> {
    await this.options.store.subscribeDecisions((update) => this.receive(update));
    const stored = await this.options.store.activeDecisions(this.options.now());
    for (const decision of stored) this.apply(decision);
    if (stored.length > 0) this.options.changed?.();
  }

  /** A decision made by this instance: store and announce it (asynchronously; failures are counted and logged). */
  share(decision: Decision): void {
    if (decision.simulated === true) return;
    const update: DecisionUpdate = { type: 'added', decision, instance: this.options.instance };
    void Promise.all([this.options.store.putDecision(decision), this.options.store.publishDecision(update)]).then(
      () => void this.stats.shared++,
      (err: unknown) => {
        this.stats.errors++;
        this.options.logger?.warn({ err, decision: decision.id }, 'decision not shared with the other instances');
      },
    );
  }

  private receive(update: DecisionUpdate): void {
    if (update.instance === this.options.instance) return;
    if (update.type === 'added') this.apply(update.decision);
    else this.options.decisions.deleteWhere({ scope: update.decision.scope, value: update.decision.value }, this.options.now());
    this.options.changed?.();
  }

  private apply(decision: Decision): void {
    try {
      const outcome = this.options.decisions.add(
        {
          scope: decision.scope,
          value: decision.value,
          action: decision.action,
          until: decision.until,
          reason: decision.reason,
          origin: decision.origin,
        },
        this.options.now(),
      );
      if (outcome.status === 'added') this.stats.applied++;
    } catch (err) {
      this.stats.errors++;
      this.options.logger?.warn({ err, decision: decision.id }, 'shared decision could not be applied');
    }
  }
}
