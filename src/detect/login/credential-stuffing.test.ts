import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { CredentialStuffingDetector, credentialStuffingConfigSchema } from './credential-stuffing.js';
import { fail, ok, recorder, T0, testIds } from './test-support.js';

const config = (over: object = {}) => ({ ...(Value.Default(credentialStuffingConfigSchema, {}) as object), ...over }) as never;

function detector(over: object = {}) {
  const rec = recorder();
  return { d: new CredentialStuffingDetector(config(over), rec.listener, testIds()), ...rec };
}

describe('CredentialStuffingDetector', () => {
  it('has the documented defaults', () => {
    expect(Value.Default(credentialStuffingConfigSchema, {})).toMatchObject({
      minFailures: 10,
      minDistinctUsernames: 5,
      windowSeconds: 600,
      severity: 'CRITICAL',
    });
  });

  it('does not count companion lines (sshd writes several per attempt)', () => {
    const { d, opened } = detector();
    for (let i = 0; i < 9; i++) {
      d.onEvent(fail('1.2.3.4', `u${i % 5}`, i * 10));
      d.onEvent(fail('1.2.3.4', `u${i % 5}`, i * 10, { labels: { companion: 'true' } }));
    }
    expect(opened).toHaveLength(0);
    d.onEvent(fail('1.2.3.4', 'u0', 95));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.evidence.eventCount).toBe(10);
  });

  it('fires at 10 failures with 5 usernames, not at 9', () => {
    const { d, opened } = detector();
    for (let i = 0; i < 9; i++) d.onEvent(fail('1.2.3.4', `u${i % 5}`, i * 10));
    expect(opened).toHaveLength(0);
    d.onEvent(fail('1.2.3.4', 'u0', 95));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ type: 'credential_stuffing', severity: 'CRITICAL', sourceIp: '1.2.3.4' });
    expect(opened[0]?.evidence).toMatchObject({ eventCount: 10, distinctUsernames: 5, firstSeen: T0, lastSeen: T0 + 95_000 });
  });

  it('needs 5 distinct usernames: 4 is brute force, not stuffing', () => {
    const { d, opened } = detector();
    for (let i = 0; i < 30; i++) d.onEvent(fail('1.2.3.4', `u${i % 4}`, i));
    expect(opened).toHaveLength(0);
  });

  it('window is closed at 600 s: 10 failures spanning 600 s fire, 601 s do not', () => {
    const a = detector();
    const b = detector();
    for (let i = 0; i < 9; i++) {
      a.d.onEvent(fail('1.1.1.1', `u${i}`, i));
      b.d.onEvent(fail('1.1.1.1', `u${i}`, i));
    }
    a.d.onEvent(fail('1.1.1.1', 'u9', 600));
    b.d.onEvent(fail('1.1.1.1', 'u9', 601));
    expect(a.opened).toHaveLength(1);
    expect(b.opened).toHaveLength(0);
  });

  it('one detection per IP per window, extended then closed after a quiet window', () => {
    const { d, opened, closed } = detector();
    for (let i = 0; i < 40; i++) d.onEvent(fail('9.9.9.9', `u${i}`, i * 5));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.evidence.eventCount).toBe(40);
    expect(opened[0]?.evidence.distinctUsernames).toBe(40);
    expect((opened[0]?.evidence.usernames as string[]).length).toBe(20); // capped
    d.advance(T0 + 195_000 + 600_000);
    expect(closed).toHaveLength(0);
    d.advance(T0 + 195_000 + 600_001);
    expect(closed).toHaveLength(1);
    expect(closed[0]?.status).toBe('closed');
    for (let i = 0; i < 10; i++) d.onEvent(fail('9.9.9.9', `v${i}`, 2000 + i));
    expect(opened).toHaveLength(2);
  });

  it('tolerates out-of-order arrival', () => {
    const { d, opened } = detector();
    const times = [50, 10, 30, 0, 90, 70, 20, 60, 80, 40];
    times.forEach((t, i) => d.onEvent(fail('5.5.5.5', `u${i}`, t)));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.evidence.firstSeen).toBe(T0);
  });

  it('ignores successes and counts evictions at the key bound', () => {
    const { d, opened } = detector({ maxTrackedIps: 3 });
    for (let i = 0; i < 10; i++) d.onEvent(ok('1.2.3.4', `u${i}`, i));
    expect(opened).toHaveLength(0);
    // An IP gets state of its own at its second failure (its first is in the shared index).
    for (let i = 0; i < 5; i++) {
      d.onEvent(fail(`10.0.0.${i}`, 'x', i));
      d.onEvent(fail(`10.0.0.${i}`, 'y', i));
    }
    expect(d.stats()).toEqual({ trackedKeys: 3, evictedKeys: 2 });
  });
});
