import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { DecisionStore, decisionsConfigSchema } from '../respond/decisions.js';
import { DecisionSync } from './decision-sync.js';
import { MemoryStateStore } from './memory-state-store.js';

const T0 = 1_700_000_000_000;

async function eventually(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('DecisionSync', () => {
  it('applies a decision made on one instance to the other, without echoing it back', async () => {
    const store = new MemoryStateStore();
    const config = Value.Default(decisionsConfigSchema, {}) as never;
    const local = { a: new DecisionStore({ config }), b: new DecisionStore({ config }) };
    const a = new DecisionSync({ store, decisions: local.a, instance: 'A', now: () => T0 });
    const b = new DecisionSync({ store, decisions: local.b, instance: 'B', now: () => T0 });
    await a.start();
    await b.start();
    const made = local.a.add({ value: '203.0.113.9', durationMs: 60_000, reason: 'brute_force', origin: 'brute_force' }, T0);
    if (made.status !== 'added') throw new Error('not added');
    a.share(made.decision);
    await eventually(() => local.b.lookup('203.0.113.9', T0) !== undefined);
    expect(local.b.lookup('203.0.113.9', T0)).toMatchObject({ action: 'block', until: T0 + 60_000, origin: 'brute_force' });
    expect(b.stats.applied).toBe(1);
    expect(a.stats.applied).toBe(0);
    expect(local.a.size).toBe(1);
    // A third instance starting now loads it from the store.
    const c = new DecisionStore({ config });
    await new DecisionSync({ store, decisions: c, instance: 'C', now: () => T0 + 1000 }).start();
    expect(c.lookup('203.0.113.9', T0 + 1000)).toBeDefined();
  });
});
