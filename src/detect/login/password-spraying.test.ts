import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { PasswordSprayingDetector, passwordSprayingConfigSchema } from './password-spraying.js';
import { fail, ok, recorder, testIds } from './test-support.js';

function detector(over: object = {}) {
  const rec = recorder();
  const config = { ...(Value.Default(passwordSprayingConfigSchema, {}) as object), ...over } as never;
  return { d: new PasswordSprayingDetector(config, rec.listener, testIds()), ...rec };
}

describe('PasswordSprayingDetector', () => {
  it('has the documented defaults', () => {
    expect(Value.Default(passwordSprayingConfigSchema, {})).toMatchObject({
      minDistinctUsernames: 10,
      maxAttemptsPerUsername: 2,
      windowSeconds: 3600,
      severity: 'HIGH',
    });
  });

  it('fires on the 10th username tried slowly, not the 9th', () => {
    const { d, opened } = detector();
    for (let i = 0; i < 9; i++) d.onEvent(fail('7.7.7.7', `u${i}`, i * 120));
    expect(opened).toHaveLength(0);
    d.onEvent(fail('7.7.7.7', 'u9', 9 * 120));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ type: 'password_spraying', severity: 'HIGH', sourceIp: '7.7.7.7' });
    expect(opened[0]?.evidence).toMatchObject({ distinctUsernames: 10, eventCount: 10, scope: 'ip', attemptsPerUsername: 1 });
  });

  it('the 10 usernames must fall within 1 h (3600 s fires, 3601 s does not)', () => {
    const a = detector();
    const b = detector();
    for (let i = 0; i < 9; i++) {
      a.d.onEvent(fail('7.7.7.7', `u${i}`, i * 300));
      b.d.onEvent(fail('7.7.7.7', `u${i}`, i * 300));
    }
    a.d.onEvent(fail('7.7.7.7', 'u9', 3600));
    b.d.onEvent(fail('7.7.7.7', 'u9', 3601));
    expect(a.opened).toHaveLength(1);
    expect(b.opened).toHaveLength(0);
  });

  it('more than 2 tries per username on average is not spraying', () => {
    const { d, opened } = detector();
    // 10 usernames, 3 tries each, slowly: average 3 > 2 (2.8 when the 10th appears).
    let t = 0;
    for (let i = 0; i < 10; i++) for (let r = 0; r < 3; r++) d.onEvent(fail('7.7.7.7', `u${i}`, (t += 100)));
    expect(opened).toHaveLength(0);
  });

  it('defers to credential stuffing when the IP bursts (≥ 10 failures, ≥ 5 users in 10 min)', () => {
    const { d, opened } = detector();
    for (let i = 0; i < 30; i++) d.onEvent(fail('8.8.4.4', `u${i}`, i * 10));
    expect(opened).toHaveLength(0);
  });

  it('aggregates a /24 whose addresses each stay below the threshold', () => {
    const { d, opened } = detector();
    for (let i = 0; i < 12; i++) d.onEvent(fail(`20.30.40.${1 + (i % 4)}`, `u${i}`, i * 120));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ sourceIp: '20.30.40.0/24' });
    expect(opened[0]?.evidence.scope).toBe('range');
    expect(opened[0]?.evidence.distinctIps).toBe(4);
  });

  it('reports one IP once, not again as its range', () => {
    const { d, opened } = detector();
    for (let i = 0; i < 25; i++) d.onEvent(fail('20.30.40.5', `u${i}`, i * 120));
    expect(opened.map((x) => x.sourceIp)).toEqual(['20.30.40.5']);
  });

  it('failures redeemed by a success of the same user from the same IP are typos', () => {
    const { d, opened } = detector();
    for (let i = 0; i < 12; i++) {
      d.onEvent(fail('30.1.1.1', `u${i}`, i * 200));
      d.onEvent(ok('30.1.1.1', `u${i}`, i * 200 + 10));
    }
    expect(opened).toHaveLength(0);
  });

  it('one detection per window; closes after an hour of quiet; eviction counted', () => {
    const { d, opened, closed } = detector({ maxTrackedIps: 2, ranges: false });
    for (let i = 0; i < 20; i++) d.onEvent(fail('7.7.7.7', `u${i}`, i * 100));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.evidence.eventCount).toBe(20);
    d.advance(opened[0]!.evidence.lastSeen + 3_600_001);
    expect(closed).toHaveLength(1);
    // An IP gets state of its own at its second failure (its first is in the shared index).
    for (let i = 0; i < 4; i++) {
      d.onEvent(fail(`9.0.0.${i}`, 'x', 5000));
      d.onEvent(fail(`9.0.0.${i}`, 'y', 5001));
    }
    expect(d.stats().evictedKeys).toBe(2);
  });
});
