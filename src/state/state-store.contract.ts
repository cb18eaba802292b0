import { afterEach, describe, expect, it } from 'vitest';
import type { Decision } from '../core/detection.js';
import type { DecisionUpdate, StateStore } from './state-store.js';

/** Two handles on one shared state, as two instances see it. */
export interface StatePair {
  a: StateStore;
  b: StateStore;
  close(): Promise<void>;
}

const T0 = 1_700_000_000_000;

function decision(id: string, value: string, until: number): Decision {
  return { id, scope: 'ip', value, action: 'block', until, reason: 'brute_force', origin: 'brute_force', createdAt: T0 };
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The StateStore contract, run against every implementation (memory, Redis). */
export function defineStateStoreContract(name: string, open: () => Promise<StatePair>): void {
  describe(`StateStore contract: ${name}`, () => {
    let pair: StatePair | undefined;
    const shared = async () => (pair = await open());
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('counts one key’s entries written by both instances within the window', async () => {
      const { a, b } = await shared();
      const w = 300_000;
      const fromA = await a.addToWindows('bf', [0, 1, 2].map((i) => ({ key: '203.0.113.9', time: T0 + i * 1000, id: `a${i}` })), w);
      expect(fromA.get('203.0.113.9')).toEqual({ count: 3, firstSeen: T0, newest: T0 + 2000 });
      const fromB = await b.addToWindows(
        'bf',
        [
          { key: '203.0.113.9', time: T0 + 5000, id: 'b0' },
          { key: '203.0.113.9', time: T0 + 6000, id: 'b1' },
          { key: '198.51.100.1', time: T0 + 6000, id: 'b2' },
        ],
        w,
      );
      expect(fromB.get('203.0.113.9')).toEqual({ count: 5, firstSeen: T0, newest: T0 + 6000 });
      expect(fromB.get('198.51.100.1')).toEqual({ count: 1, firstSeen: T0 + 6000, newest: T0 + 6000 });
      expect(fromB.size).toBe(2);
    });

    it('counts a repeated entry once, only the last window, and keeps window names apart', async () => {
      const { a, b } = await shared();
      const w = 10_000;
      await a.addToWindows('bf', [{ key: 'k', time: T0, id: 'x' }], w);
      await b.addToWindows('bf', [{ key: 'k', time: T0, id: 'x' }], w);
      await b.addToWindows('other', [{ key: 'k', time: T0 + 1, id: 'y' }], w);
      const later = await a.addToWindows('bf', [{ key: 'k', time: T0 + 15_000, id: 'z' }, { key: 'k', time: T0 + 8000, id: 'v' }], w);
      // x (T0) is outside [T0+5000, T0+15000]; v and z are in.
      expect(later.get('k')).toEqual({ count: 2, firstSeen: T0 + 8000, newest: T0 + 15_000 });
    });

    it('grants a claim to one instance until it expires', async () => {
      const { a, b } = await shared();
      expect(await a.claim('bf:203.0.113.9', 150)).toBe(true);
      expect(await b.claim('bf:203.0.113.9', 150)).toBe(false);
      expect(await a.claim('bf:203.0.113.9', 150)).toBe(false);
      expect(await b.claim('bf:198.51.100.1', 150)).toBe(true);
      await new Promise((r) => setTimeout(r, 250));
      expect(await b.claim('bf:203.0.113.9', 150)).toBe(true);
    });

    it('shares active decisions and forgets expired and deleted ones', async () => {
      const { a, b } = await shared();
      await a.putDecision(decision('1', '203.0.113.9', T0 + 60_000));
      await a.putDecision(decision('2', '198.51.100.1', T0 + 1000));
      await b.putDecision(decision('3', '192.0.2.7', T0 + 60_000));
      expect((await b.activeDecisions(T0 + 5000)).map((d) => d.id).sort()).toEqual(['1', '3']);
      await b.deleteDecision('3');
      expect(await a.activeDecisions(T0 + 5000)).toEqual([decision('1', '203.0.113.9', T0 + 60_000)]);
    });

    it('delivers published decision changes to the other instance', async () => {
      const { a, b } = await shared();
      const received: DecisionUpdate[] = [];
      await b.subscribeDecisions((u) => received.push(u));
      const update: DecisionUpdate = { type: 'added', decision: decision('9', '203.0.113.9', T0 + 60_000), instance: 'A' };
      await a.publishDecision(update);
      await eventually(() => received.length === 1, 'the update');
      expect(received[0]).toEqual(update);
    });
  });
}
