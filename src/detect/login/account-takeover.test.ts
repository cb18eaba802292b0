import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { AccountTakeoverDetector, accountTakeoverConfigSchema } from './account-takeover.js';
import { fail, ok, recorder, testIds } from './test-support.js';

function detector(over: object = {}) {
  const rec = recorder();
  const config = { ...(Value.Default(accountTakeoverConfigSchema, {}) as object), ...over } as never;
  return { d: new AccountTakeoverDetector(config, rec.listener, testIds()), ...rec };
}

describe('AccountTakeoverDetector', () => {
  it('has the documented defaults', () => {
    expect(Value.Default(accountTakeoverConfigSchema, {})).toMatchObject({
      minFailuresOnUser: 3,
      minDistinctUsernames: 5,
      windowSeconds: 600,
      severity: 'CRITICAL',
    });
  });

  it('success after 3 failures on the user fires; after 2 it does not', () => {
    const a = detector();
    const b = detector();
    for (let i = 0; i < 3; i++) a.d.onEvent(fail('50.0.0.1', 'alice', i * 10));
    for (let i = 0; i < 2; i++) b.d.onEvent(fail('50.0.0.1', 'alice', i * 10));
    a.d.onEvent(ok('50.0.0.1', 'alice', 60));
    b.d.onEvent(ok('50.0.0.1', 'alice', 60));
    expect(a.opened).toHaveLength(1);
    expect(a.opened[0]).toMatchObject({ type: 'account_takeover', username: 'alice', sourceIp: '50.0.0.1', severity: 'CRITICAL' });
    expect(a.opened[0]?.evidence).toMatchObject({ failures: 3, condition: 'failures_on_username' });
    expect(b.opened).toHaveLength(0);
  });

  it('success after failures on 5 usernames fires; on 4 it does not', () => {
    const a = detector();
    const b = detector();
    for (let i = 0; i < 5; i++) a.d.onEvent(fail('50.0.0.2', `u${i}`, i * 10));
    for (let i = 0; i < 4; i++) b.d.onEvent(fail('50.0.0.2', `u${i}`, i * 10));
    a.d.onEvent(ok('50.0.0.2', 'victim', 100));
    b.d.onEvent(ok('50.0.0.2', 'victim', 100));
    expect(a.opened).toHaveLength(1);
    expect(a.opened[0]?.evidence.condition).toBe('failures_on_many_usernames');
    expect(b.opened).toHaveLength(0);
  });

  it('failures count only within 600 s before the success', () => {
    const a = detector();
    const b = detector();
    for (const x of [a, b]) for (let i = 0; i < 3; i++) x.d.onEvent(fail('50.0.0.3', 'bob', i));
    a.d.onEvent(ok('50.0.0.3', 'bob', 600));
    b.d.onEvent(ok('50.0.0.3', 'bob', 601));
    expect(a.opened).toHaveLength(1);
    expect(b.opened).toHaveLength(0);
  });

  it('a failure arriving after its success (out of order) still fires', () => {
    const { d, opened } = detector();
    d.onEvent(fail('50.0.0.4', 'carol', 0));
    d.onEvent(fail('50.0.0.4', 'carol', 5));
    d.onEvent(ok('50.0.0.4', 'carol', 30));
    expect(opened).toHaveLength(0);
    d.onEvent(fail('50.0.0.4', 'carol', 20));
    expect(opened).toHaveLength(1);
  });

  it('typos from a familiar IP are not a takeover; the many-usernames condition still is', () => {
    const { d, opened } = detector();
    d.onEvent(ok('60.0.0.1', 'dave', 0));
    for (let i = 0; i < 3; i++) d.onEvent(fail('60.0.0.1', 'dave', 3600 + i));
    d.onEvent(ok('60.0.0.1', 'dave', 3610));
    expect(opened).toHaveLength(0);
    for (let i = 0; i < 5; i++) d.onEvent(fail('60.0.0.1', `x${i}`, 4000 + i));
    d.onEvent(ok('60.0.0.1', 'dave', 4010));
    expect(opened).toHaveLength(1);
  });

  it('one detection per user per window; evictions counted', () => {
    const { d, opened, closed } = detector({ maxTrackedIps: 2 });
    for (let i = 0; i < 3; i++) d.onEvent(fail('70.0.0.1', 'erin', i));
    d.onEvent(ok('70.0.0.1', 'erin', 10));
    d.onEvent(ok('70.0.0.1', 'erin', 20));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.evidence.eventCount).toBe(5);
    d.advance(opened[0]!.evidence.lastSeen + 600_001);
    expect(closed).toHaveLength(1);
    // An IP gets state of its own at its second failure (its first is in the shared index).
    for (let i = 0; i < 4; i++) {
      d.onEvent(fail(`71.0.0.${i}`, 'x', 100));
      d.onEvent(fail(`71.0.0.${i}`, 'x', 101));
    }
    expect(d.stats().evictedKeys).toBe(3);
  });
});
