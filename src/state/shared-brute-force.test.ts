import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { Detection } from '../core/detection.js';
import type { SecurityEvent } from '../core/event.js';
import { IdGenerator } from '../core/ids.js';
import { bruteForceConfigSchema } from '../detect/login/brute-force.js';
import { MemoryStateStore } from './memory-state-store.js';
import { SharedBruteForce } from './shared-brute-force.js';

const T0 = 1_700_000_000_000;
const failure = (id: string, ip: string, t: number): SecurityEvent => ({ id, timestamp: t, kind: 'login.failure', sourceIp: ip, username: 'x', labels: {} }) as SecurityEvent;

function instance(store: MemoryStateStore, maxPending = 1000) {
  const opened: Detection[] = [];
  const closed: Detection[] = [];
  const stage = new SharedBruteForce({
    store,
    config: Value.Default(bruteForceConfigSchema, {}) as never,
    listener: { opened: (d) => opened.push(d), closed: (d) => closed.push(d) },
    ids: new IdGenerator('det', 't'),
    maxPending,
  });
  return { stage, opened, closed };
}

describe('SharedBruteForce', () => {
  it('raises one detection when failures split over instances reach the threshold together', async () => {
    const store = new MemoryStateStore();
    const a = instance(store);
    const b = instance(store);
    a.stage.observe([failure('a1', '203.0.113.9', T0), failure('a2', '203.0.113.9', T0 + 1000), failure('a3', '203.0.113.9', T0 + 2000)], T0 + 2000);
    await a.stage.flush();
    expect(a.opened).toEqual([]);
    b.stage.observe([failure('b1', '203.0.113.9', T0 + 3000), failure('b2', '203.0.113.9', T0 + 4000), failure('x', '198.51.100.1', T0)], T0 + 4000);
    await b.stage.flush();
    expect(b.opened).toHaveLength(1);
    expect(b.opened[0]).toMatchObject({ type: 'brute_force', sourceIp: '203.0.113.9', evidence: { eventCount: 5, firstSeen: T0, lastSeen: T0 + 4000, shared: true } });
    // More failures on A: the claim is B's, A raises nothing.
    a.stage.observe([failure('a4', '203.0.113.9', T0 + 5000)], T0 + 5000);
    await a.stage.flush();
    expect(a.opened).toEqual([]);
    // Event time passes a quiet window: B closes its detection.
    b.stage.observe([], T0 + 4000 + 300_001);
    expect(b.closed.map((d) => d.id)).toEqual([b.opened[0]!.id]);
  });

  it('drops and counts failures beyond maxPending while a write is under way', async () => {
    const store = new MemoryStateStore();
    const { stage } = instance(store, 2);
    stage.observe([failure('1', '192.0.2.1', T0), failure('2', '192.0.2.1', T0), failure('3', '192.0.2.1', T0)], T0);
    await stage.flush();
    expect(stage.stats).toMatchObject({ written: 2, dropped: 1 });
  });
});
