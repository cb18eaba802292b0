/**
 * What the controller did to each target, for the safety rules: retries
 * within a window, cooldown since the last action, and how many targets are
 * under remediation right now. In memory: a new leader starts with a clean
 * history (nodes it cordoned are still known from their annotation).
 */
export interface HistoryView {
  /** Action times for `target`, oldest first. */
  actions(target: string): readonly number[];
  /** Targets with an action at or after `since`. */
  activeSince(since: number): string[];
}

export class RemediationHistory implements HistoryView {
  private readonly byTarget = new Map<string, number[]>();

  constructor(
    /** Entries older than this are forgotten (the longest window the planner looks at). */
    private readonly keepMs: number,
    /** Bound on targets remembered; the stalest go first. */
    private readonly maxTargets = 10_000,
  ) {}

  record(target: string, at: number): void {
    const times = this.byTarget.get(target) ?? [];
    times.push(at);
    this.byTarget.delete(target);
    this.byTarget.set(target, times);
    while (this.byTarget.size > this.maxTargets) {
      const oldest = this.byTarget.keys().next().value;
      if (oldest === undefined) break;
      this.byTarget.delete(oldest);
    }
  }

  actions(target: string): readonly number[] {
    return this.byTarget.get(target) ?? [];
  }

  activeSince(since: number): string[] {
    const out: string[] = [];
    for (const [target, times] of this.byTarget) if ((times[times.length - 1] ?? -Infinity) >= since) out.push(target);
    return out;
  }

  /** Drops what no window still needs. */
  prune(now: number): void {
    for (const [target, times] of this.byTarget) {
      const kept = times.filter((t) => now - t < this.keepMs);
      if (kept.length === 0) this.byTarget.delete(target);
      else if (kept.length !== times.length) this.byTarget.set(target, kept);
    }
  }

  get size(): number {
    return this.byTarget.size;
  }
}
