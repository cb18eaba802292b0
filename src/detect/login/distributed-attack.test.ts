import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { DistributedAttackDetector, distributedAttackConfigSchema } from './distributed-attack.js';
import { fail, recorder, T0, testIds } from './test-support.js';

function detector(over: object = {}) {
  const rec = recorder();
  const config = { ...(Value.Default(distributedAttackConfigSchema, {}) as object), ...over } as never;
  return { d: new DistributedAttackDetector(config, rec.listener, testIds()), ...rec };
}

describe('DistributedAttackDetector', () => {
  it('has the documented defaults', () => {
    expect(Value.Default(distributedAttackConfigSchema, {})).toMatchObject({ minDistinctIps: 10, windowSeconds: 600, severity: 'HIGH' });
  });

  it('fires at the 10th distinct IP failing on one username, not the 9th', () => {
    const { d, opened } = detector();
    for (let i = 0; i < 9; i++) d.onEvent(fail(`44.0.0.${i}`, 'alice', i * 30));
    for (let i = 0; i < 9; i++) d.onEvent(fail(`44.0.0.${i}`, 'alice', 300 + i)); // repeats do not count
    expect(opened).toHaveLength(0);
    d.onEvent(fail('44.0.0.99', 'alice', 400));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ type: 'distributed_attack', username: 'alice', severity: 'HIGH' });
    expect(opened[0]?.evidence.distinctIps).toBe(10);
    expect((opened[0]?.evidence.ips as string[]).length).toBe(10);
  });

  it('the IPs must fall within 600 s (closed interval)', () => {
    const a = detector();
    const b = detector();
    for (let i = 0; i < 9; i++) {
      a.d.onEvent(fail(`44.0.0.${i}`, 'bob', i));
      b.d.onEvent(fail(`44.0.0.${i}`, 'bob', i));
    }
    a.d.onEvent(fail('44.0.1.1', 'bob', 600));
    b.d.onEvent(fail('44.0.1.1', 'bob', 601));
    expect(a.opened).toHaveLength(1);
    expect(b.opened).toHaveLength(0);
  });

  it('one IP hammering the account does not hide the others', () => {
    const { d, opened } = detector();
    for (let i = 0; i < 10; i++) {
      for (let k = 0; k < 50; k++) d.onEvent(fail('66.6.6.6', 'root', i * 20 + k * 0.1));
      d.onEvent(fail(`45.0.0.${i}`, 'root', i * 20 + 10));
    }
    expect(opened).toHaveLength(1);
  });

  it('out of order, one detection per window, eviction counted', () => {
    const { d, opened, closed } = detector({ maxTrackedUsers: 2 });
    const order = [5, 2, 8, 0, 9, 1, 7, 3, 6, 4];
    for (const i of order) d.onEvent(fail(`46.0.0.${i}`, 'carol', 100 - i * 10));
    expect(opened).toHaveLength(1);
    for (let i = 0; i < 30; i++) d.onEvent(fail(`47.0.0.${i}`, 'carol', 120 + i));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.evidence.distinctIps).toBe(40);
    d.advance(T0 + 149_000 + 600_001);
    expect(closed).toHaveLength(1);
    for (let i = 0; i < 4; i++) d.onEvent(fail('1.1.1.1', `user${i}`, 2000));
    expect(d.stats()).toEqual({ trackedKeys: 2, evictedKeys: 2 });
  });
});
