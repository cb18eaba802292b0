import type { Decision } from '../core/detection.js';
import type { DecisionUpdate, StateStore, WindowCount, WindowEntry } from './state-store.js';

/**
 * The in-process StateStore: the default for one instance (and what two
 * services in one process can share in tests). Windows are sorted arrays per
 * key, bounded in time like the Redis ones.
 */
export class MemoryStateStore implements StateStore {
  readonly kind = 'memory';
  private readonly windows = new Map<string, { times: number[]; ids: Set<string>; idsByTime: string[] }>();
  private readonly claims = new Map<string, number>();
  private readonly decisions = new Map<string, Decision>();
  private readonly listeners: ((update: DecisionUpdate) => void)[] = [];

  constructor(private readonly wallClock: () => number = Date.now) {}

  async addToWindows(name: string, entries: readonly WindowEntry[], windowMs: number): Promise<Map<string, WindowCount>> {
    const touched = new Map<string, WindowCount>();
    for (const entry of entries) {
      const id = `${name}\u0000${entry.key}`;
      let window = this.windows.get(id);
      if (window === undefined) {
        window = { times: [], ids: new Set(), idsByTime: [] };
        this.windows.set(id, window);
      }
      if (window.ids.has(entry.id)) continue;
      let i = window.times.length;
      while (i > 0 && (window.times[i - 1] as number) > entry.time) i--;
      window.times.splice(i, 0, entry.time);
      window.idsByTime.splice(i, 0, entry.id);
      window.ids.add(entry.id);
      touched.set(entry.key, { count: 0, firstSeen: 0, newest: 0 });
    }
    for (const key of touched.keys()) {
      const window = this.windows.get(`${name}\u0000${key}`)!;
      const newest = window.times[window.times.length - 1] as number;
      let drop = 0;
      while (drop < window.times.length && (window.times[drop] as number) < newest - 2 * windowMs) drop++;
      for (const gone of window.idsByTime.splice(0, drop)) window.ids.delete(gone);
      window.times.splice(0, drop);
      const inWindow = window.times.filter((t) => t >= newest - windowMs);
      touched.set(key, { count: inWindow.length, firstSeen: inWindow[0] as number, newest });
    }
    return touched;
  }

  async claim(claim: string, ttlMs: number): Promise<boolean> {
    const now = this.wallClock();
    const held = this.claims.get(claim);
    if (held !== undefined && held > now) return false;
    this.claims.set(claim, now + ttlMs);
    return true;
  }

  async putDecision(decision: Decision): Promise<void> {
    this.decisions.set(decision.id, { ...decision });
  }

  async deleteDecision(id: string): Promise<void> {
    this.decisions.delete(id);
  }

  async activeDecisions(now: number): Promise<Decision[]> {
    return [...this.decisions.values()].filter((d) => d.until > now).map((d) => ({ ...d }));
  }

  async publishDecision(update: DecisionUpdate): Promise<void> {
    const copy = structuredClone(update);
    // Asynchronous like a real broker: never inside the publisher's call stack.
    for (const listener of this.listeners) queueMicrotask(() => listener(copy));
  }

  async subscribeDecisions(listener: (update: DecisionUpdate) => void): Promise<void> {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.listeners.length = 0;
  }
}
