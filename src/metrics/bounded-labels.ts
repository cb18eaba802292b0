/** Label value every value beyond the cap is counted under. */
export const OVERFLOW_LABEL = 'other';

/**
 * The distinct values of one metric label, each given a small index on first
 * sight so hot-path counters can live in plain arrays. At most `max` values
 * are admitted (plus any seeded ones); everything after that shares the
 * `other` index, so a flood of new client networks or made-up reasons cannot
 * grow the scrape without bound. `overflowed` counts what went to `other`.
 */
export class BoundedLabels {
  private readonly index = new Map<string, number>();
  readonly values: string[] = [];
  /** Index of `other` (assigned when first needed). */
  private overflowIndex = -1;
  /** Values admitted beyond the seeded ones. */
  private admitted = 0;
  overflowed = 0;

  constructor(
    private readonly max: number,
    seed: readonly string[] = [],
  ) {
    for (const value of seed) this.add(value);
  }

  /** Index of `other`, or -1 while nothing has overflowed. */
  get otherIndex(): number {
    return this.overflowIndex;
  }

  get size(): number {
    return this.values.length;
  }

  /** Index of `value` when it already has one. */
  known(value: string): number | undefined {
    return this.index.get(value);
  }

  /** Index of `value`, admitting it while there is room; else the index of `other`. */
  indexOf(value: string): number {
    const known = this.index.get(value);
    if (known !== undefined) return known;
    if (this.admitted < this.max) {
      this.admitted++;
      return this.add(value);
    }
    this.overflowed++;
    if (this.overflowIndex === -1) this.overflowIndex = this.add(OVERFLOW_LABEL);
    return this.overflowIndex;
  }

  private add(value: string): number {
    const at = this.values.length;
    this.values.push(value);
    this.index.set(value, at);
    return at;
  }
}
