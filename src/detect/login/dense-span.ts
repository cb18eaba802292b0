/**
 * Interval search over a sorted list of event times with a payload each
 * (username, IP, …): is there a closed interval of length `span` that
 * contains time `t` and whose events satisfy `accept(count, distinct)`?
 * `distinct` counts distinct defined keys (`keyOf` of each payload). Intervals are closed, like
 * TimeWindow.maxInSpan: events exactly `span` apart are in one window.
 *
 * Two pointers over the candidate starts (every interval containing t can be
 * slid right until it starts at an event in [t - span, t]), so O(n) per call;
 * the caller passes a scratch Map that is left empty, so nothing is allocated.
 */
export interface DenseSpan {
  /** Indices [from, to) of the first accepted interval. */
  from: number;
  to: number;
  count: number;
  distinct: number;
}

export function findDenseSpan<T, K>(
  times: readonly number[],
  items: readonly T[],
  keyOf: (item: T) => K | undefined,
  t: number,
  span: number,
  accept: (count: number, distinct: number) => boolean,
  scratch: Map<K, number>,
  out: DenseSpan,
): boolean {
  const n = times.length;
  // First time >= t - span (binary search: the windows hold up to a few hundred times).
  const from = t - span;
  let lo = 0;
  let top = n;
  while (lo < top) {
    const mid = (lo + top) >>> 1;
    if ((times[mid] as number) < from) lo = mid + 1;
    else top = mid;
  }
  let hi = lo;
  let found = false;
  for (let s = lo; s < n; s++) {
    const start = times[s] as number;
    if (start > t) break;
    while (hi < n && (times[hi] as number) <= start + span) {
      const item = keyOf(items[hi] as T);
      if (item !== undefined) scratch.set(item, (scratch.get(item) ?? 0) + 1);
      hi++;
    }
    if (accept(hi - s, scratch.size)) {
      out.from = s;
      out.to = hi;
      out.count = hi - s;
      out.distinct = scratch.size;
      found = true;
      break;
    }
    const leaving = keyOf(items[s] as T);
    if (leaving !== undefined) {
      const c = (scratch.get(leaving) ?? 0) - 1;
      if (c <= 0) scratch.delete(leaving);
      else scratch.set(leaving, c);
    }
  }
  scratch.clear();
  return found;
}

/**
 * A cheap bound that lets a caller skip findDenseSpan: the distinct defined
 * usernames a window has ever held (a superset of those it holds, since a
 * window only loses items), listed up to `cap`. No interval can reach `need`
 * distinct usernames while fewer than `need` are listed and the list is not
 * full. A brute-force IP trying a few accounts hundreds of times never needs
 * the O(n) search.
 */
export function noteName(names: string[], name: string | undefined, cap: number): void {
  if (name !== undefined && names.length < cap && !names.includes(name)) names.push(name);
}

/** True when `names` (kept by noteName with `cap`) proves that no interval has `need` distinct usernames. */
export function tooFewNames(names: readonly string[], need: number, cap: number): boolean {
  return names.length < need && names.length < cap;
}
