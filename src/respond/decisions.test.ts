import { describe, expect, it } from 'vitest';
import type { Decision } from '../core/detection.js';
import { Allowlist } from './allowlist.js';
import {
  DecisionError,
  DecisionStore,
  goDuration,
  renderIpset,
  renderNftables,
  renderNginxDeny,
  toCrowdsecDecision,
  toCrowdsecStream,
  type AddOutcome,
} from './decisions.js';

function decisionOf(outcome: AddOutcome): Decision {
  if (outcome.status === 'allowlisted') throw new Error('unexpectedly allowlisted');
  return outcome.decision;
}

const store = (options: { maxActive?: number; maxChanges?: number; allowlist?: Allowlist } = {}) => {
  const s = new DecisionStore({
    config: { maxActive: options.maxActive ?? 1000, maxChanges: options.maxChanges ?? 1000 },
    ...(options.allowlist !== undefined ? { allowlist: options.allowlist } : {}),
  });
  return s;
};
const block = (value: string, durationMs = 3_600_000, extra = {}) => ({ value, durationMs, reason: 'test', origin: 'test', ...extra });

describe('DecisionStore add / replace', () => {
  it('stores with a numeric id, inferring the scope from the value', () => {
    const s = store();
    const a = s.add(block('203.0.113.5'), 0);
    const b = s.add(block('10.1.2.3/8'), 0);
    expect(a).toMatchObject({ status: 'added', decision: { id: '1', scope: 'ip', value: '203.0.113.5', action: 'block', until: 3_600_000 } });
    expect(b).toMatchObject({ status: 'added', decision: { id: '2', scope: 'range', value: '10.0.0.0/8' } });
    expect(() => s.add({ ...block('10.0.0.0/8'), scope: 'ip' }, 0)).toThrow(DecisionError);
    expect(() => s.add(block('0.0.0.0/0'), 0)).toThrow(/every address/);
    expect(() => s.add(block('1.2.3.4', 0), 0)).toThrow(DecisionError);
  });

  it('a longer decision for the same value replaces the active one; a shorter one does not', () => {
    const s = store();
    const first = s.add(block('203.0.113.5', 1000), 0);
    expect(s.add(block('203.0.113.5', 500), 100).status).toBe('unchanged');
    const longer = s.add(block('203.0.113.5', 5000), 100);
    expect(longer.status).toBe('added');
    expect(longer.status === 'added' && longer.replaced?.id).toBe(decisionOf(first).id);
    expect(s.list(200)).toHaveLength(1);
    expect(s.lookup('203.0.113.5', 4000)?.until).toBe(5100);
  });

  it('a stronger action or a manual decision replaces; a simulated one never replaces a real one', () => {
    const s = store();
    s.add(block('203.0.113.5', 5000, { action: 'captcha' }), 0);
    expect(s.add(block('203.0.113.5', 1000, { action: 'block' }), 0).status).toBe('added');
    expect(s.add(block('203.0.113.5', 9000, { action: 'throttle' }), 0).status).toBe('unchanged');
    expect(s.add(block('203.0.113.5', 10, { origin: 'manual' }), 0).status).toBe('added');
    expect(s.add(block('203.0.113.5', 99_999, { simulated: true }), 0).status).toBe('unchanged');
    expect(s.lookup('203.0.113.5', 5)?.origin).toBe('manual');
  });

  it('checks the allowlist for every origin, including ranges covering an allowlisted address', () => {
    const allowlist = new Allowlist({ entries: ['2001:db8::/32', '192.0.2.10'], trustedProxies: [] });
    const s = store({ allowlist });
    expect(s.add(block('2001:db8::5', 1000, { origin: 'manual' }), 0).status).toBe('allowlisted');
    expect(s.add(block('192.0.2.0/24', 1000, { origin: 'import' }), 0).status).toBe('allowlisted');
    expect(s.add(block('192.0.2.11', 1000), 0).status).toBe('added');
    expect(s.size).toBe(1);
  });
});

describe('DecisionStore lookup', () => {
  it('finds exact IPs and ranges (IPv4 and IPv6), not after until', () => {
    const s = store();
    s.add(block('198.51.100.0/24', 1000), 0);
    s.add(block('2001:db8:bad::/48', 1000), 0);
    s.add(block('203.0.113.5', 1000), 0);
    expect(s.lookup('203.0.113.5', 999)?.value).toBe('203.0.113.5');
    expect(s.lookup('198.51.100.9', 999)?.value).toBe('198.51.100.0/24');
    expect(s.lookup('::ffff:198.51.100.9', 999)?.value).toBe('198.51.100.0/24');
    expect(s.lookup('2001:db8:bad:1::1', 999)?.value).toBe('2001:db8:bad::/48');
    expect(s.lookup('203.0.113.6', 999)).toBeUndefined();
    expect(s.lookup('203.0.113.5', 1000)).toBeUndefined();
    expect(s.lookup('198.51.100.9', 1000)).toBeUndefined();
  });

  it('simulated decisions are listed but never enforced', () => {
    const s = store();
    s.add(block('203.0.113.5', 1000, { simulated: true }), 0);
    s.add(block('198.51.100.0/24', 1000, { simulated: true }), 0);
    expect(s.lookup('203.0.113.5', 1)).toBeUndefined();
    expect(s.lookup('198.51.100.1', 1)).toBeUndefined();
    expect(s.list(1)).toHaveLength(2);
    expect(s.list(1, { includeSimulated: false })).toHaveLength(0);
    expect(renderNginxDeny(s.list(1), 1)).toBe('');
    expect(s.stream(undefined, 1).new).toHaveLength(0);
  });

  it('filters active decisions and deletes', () => {
    const s = store();
    s.add(block('203.0.113.5', 1000, { origin: 'manual' }), 0);
    s.add(block('10.0.0.0/8', 1000), 0);
    s.add({ scope: 'user', value: 'alice', durationMs: 1000, reason: 'r', origin: 'test' }, 0);
    expect(s.list(1, { ip: '10.2.3.4' }).map((d) => d.value)).toEqual(['10.0.0.0/8']);
    expect(s.list(1, { origin: 'manual' }).map((d) => d.value)).toEqual(['203.0.113.5']);
    expect(s.list(1, { scope: 'user' }).map((d) => d.value)).toEqual(['alice']);
    expect(s.lookupUser('alice', 1)?.value).toBe('alice');
    expect(s.deleteWhere({ value: '10.1.2.3/8' }, 2).map((d) => d.value)).toEqual(['10.0.0.0/8']);
    expect(s.lookup('10.2.3.4', 2)).toBeUndefined();
    expect(s.delete('1', 3)?.value).toBe('203.0.113.5');
    expect(s.delete('1', 3)).toBeUndefined();
  });
});

describe('DecisionStore expiry and change feed', () => {
  it('expire(now) returns exactly the decisions whose until has come, in event time', () => {
    const s = store();
    s.add(block('10.0.0.1', 300), 0);
    s.add(block('10.0.0.2', 100), 0);
    s.add(block('10.0.0.3', 200), 0);
    expect(s.expire(99)).toEqual([]);
    expect(s.expire(200).map((d) => d.value)).toEqual(['10.0.0.2', '10.0.0.3']);
    expect(s.size).toBe(1);
  });

  it('numbers every change and serves changes since N', () => {
    const s = store();
    s.add(block('10.0.0.1', 100), 0); // seq 1
    s.add(block('10.0.0.2', 1000), 0); // seq 2
    s.expire(100); // seq 3: 10.0.0.1 deleted
    const since1 = s.changesSince(1);
    expect(since1.resync).toBe(false);
    expect(since1.lastSeq).toBe(3);
    expect(since1.changes.map((c) => [c.seq, c.type, c.decision.value, c.cause])).toEqual([
      [2, 'added', '10.0.0.2', undefined],
      [3, 'deleted', '10.0.0.1', 'expired'],
    ]);
    expect(s.changesSince(3)).toEqual({ changes: [], resync: false, lastSeq: 3 });
    expect(s.changesSince(7).resync).toBe(true); // ahead of us: another run
  });

  it('a client further behind than the kept history must resync', () => {
    const s = store({ maxChanges: 10 });
    for (let i = 1; i <= 20; i++) s.add(block(`10.0.0.${i}`, 1000), 0);
    expect(s.changesSince(0).resync).toBe(true);
    const kept = s.changesSince(15);
    expect(kept.resync).toBe(false);
    expect(kept.changes.map((c) => c.seq)).toEqual([16, 17, 18, 19, 20]);
    const stream = s.stream(0, 1);
    expect(stream.resync).toBe(true);
    expect(stream.new).toHaveLength(20);
  });

  it('stream: startup gives all active, then only new and deleted; a replaced value is only new', () => {
    const s = store();
    s.add(block('10.0.0.1', 100), 0);
    s.add(block('10.0.0.2', 1000), 0);
    const startup = s.stream(undefined, 0);
    expect(startup.new.map((d) => d.value)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(startup.resync).toBe(false);
    s.add(block('10.0.0.3', 1000), 50);
    s.add(block('10.0.0.2', 5000), 50); // replaces 10.0.0.2
    const next = s.stream(startup.lastSeq, 100); // expires 10.0.0.1
    expect(next.new.map((d) => d.value)).toEqual(['10.0.0.3', '10.0.0.2']);
    expect(next.deleted.map((d) => d.value)).toEqual(['10.0.0.1']);
    expect(s.stream(next.lastSeq, 100)).toMatchObject({ new: [], deleted: [] });
  });

  it('is bounded: at maxActive the decision expiring soonest is evicted (and streamed as deleted)', () => {
    const s = store({ maxActive: 2 });
    s.add(block('10.0.0.1', 500), 0);
    s.add(block('10.0.0.2', 100), 0);
    s.add(block('10.0.0.3', 900), 0);
    expect(s.list(0).map((d) => d.value)).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(s.evicted).toBe(1);
    expect(s.changesSince(2).changes[0]).toMatchObject({ type: 'deleted', cause: 'evicted', decision: { value: '10.0.0.2' } });
  });
});

describe('exports', () => {
  const now = 1_000_000;
  const fixture = () => {
    const s = store();
    s.add(block('1.2.3.4', 3_600_000), now);
    s.add(block('10.0.0.0/8', 300_000), now);
    s.add(block('10.9.9.9', 999_500), now); // covered by 10.0.0.0/8: left out
    s.add(block('2001:db8::/32', 60_000), now);
    s.add(block('2001:db8:1::1', 60_000, { action: 'captcha' }), now); // not a block
    s.add(block('198.51.100.7', 1000, { simulated: true }), now); // simulated
    s.add({ scope: 'user', value: 'alice', durationMs: 1000, reason: 'r', origin: 'o' }, now); // user scope
    return s.list(now);
  };

  it('nftables script', () => {
    expect(renderNftables(fixture(), now)).toBe(
      [
        'add table inet filter',
        'add set inet filter vigil_blocklist { type ipv4_addr; flags interval, timeout; }',
        'add set inet filter vigil_blocklist6 { type ipv6_addr; flags interval, timeout; }',
        'flush set inet filter vigil_blocklist',
        'flush set inet filter vigil_blocklist6',
        'add element inet filter vigil_blocklist { 1.2.3.4 timeout 3600s, 10.0.0.0/8 timeout 300s }',
        'add element inet filter vigil_blocklist6 { 2001:db8::/32 timeout 60s }',
        '',
      ].join('\n'),
    );
    // An empty set gets no element line (`{ }` is invalid).
    expect(renderNftables([], now)).not.toContain('add element');
  });

  it('ipset + iptables script', () => {
    expect(renderIpset(fixture(), now)).toBe(
      [
        'ipset create vigil-v4 hash:net family inet timeout 0 -exist',
        'ipset create vigil-v4-tmp hash:net family inet timeout 0 -exist',
        'ipset flush vigil-v4-tmp',
        'ipset add vigil-v4-tmp 1.2.3.4 timeout 3600 -exist',
        'ipset add vigil-v4-tmp 10.0.0.0/8 timeout 300 -exist',
        'ipset swap vigil-v4-tmp vigil-v4',
        'ipset destroy vigil-v4-tmp',
        'ipset create vigil-v6 hash:net family inet6 timeout 0 -exist',
        'ipset create vigil-v6-tmp hash:net family inet6 timeout 0 -exist',
        'ipset flush vigil-v6-tmp',
        'ipset add vigil-v6-tmp 2001:db8::/32 timeout 60 -exist',
        'ipset swap vigil-v6-tmp vigil-v6',
        'ipset destroy vigil-v6-tmp',
        'iptables -C INPUT -m set --match-set vigil-v4 src -j DROP 2>/dev/null || iptables -I INPUT -m set --match-set vigil-v4 src -j DROP',
        'ip6tables -C INPUT -m set --match-set vigil-v6 src -j DROP 2>/dev/null || ip6tables -I INPUT -m set --match-set vigil-v6 src -j DROP',
        '',
      ].join('\n'),
    );
  });

  it('nginx deny list, timeouts rounded up', () => {
    expect(renderNginxDeny(fixture(), now)).toBe('deny 1.2.3.4;\ndeny 10.0.0.0/8;\ndeny 2001:db8::/32;\n');
    const s = store();
    s.add(block('1.2.3.4', 1500), 0);
    expect(renderNftables(s.list(0), 0)).toContain('1.2.3.4 timeout 2s');
  });
});

describe('CrowdSec mapping', () => {
  it('Go duration strings', () => {
    expect(goDuration(0)).toBe('0s');
    expect(goDuration(59_999)).toBe('59s');
    expect(goDuration(3_599_000)).toBe('59m59s');
    expect(goDuration(3_600_000)).toBe('1h0m0s');
    expect(goDuration(7 * 86_400_000)).toBe('168h0m0s');
    expect(goDuration(-1000)).toBe('-1s');
  });

  it('toCrowdsecDecision: LAPI models.Decision shape with the time left', () => {
    const s = store();
    const added = s.add(block('203.0.113.5', 3_600_000, { reason: 'CRITICAL incident: sql_injection', origin: 'waf_violation' }), 0);
    expect(toCrowdsecDecision(decisionOf(added), 1000)).toEqual({
      id: 1,
      origin: 'waf_violation',
      type: 'ban',
      scope: 'Ip',
      value: '203.0.113.5',
      duration: '59m59s',
      until: '1970-01-01T01:00:00.000Z',
      scenario: 'CRITICAL incident: sql_injection',
      simulated: false,
    });
    const range = decisionOf(s.add(block('10.0.0.0/8', 60_000, { action: 'captcha' }), 0));
    expect(toCrowdsecDecision(range, 0)).toMatchObject({ id: 2, type: 'captcha', scope: 'Range', value: '10.0.0.0/8', duration: '1m0s' });
    const foreign = toCrowdsecDecision({ ...range, id: 'abc-123' }, 0).id;
    expect(Number.isInteger(foreign) && foreign > 0).toBe(true);
  });

  it('stream body has new and deleted arrays', () => {
    const s = store();
    s.add(block('203.0.113.5', 1000), 0);
    const body = toCrowdsecStream(s.stream(undefined, 0), 0);
    expect(body.deleted).toEqual([]);
    expect(body.new.map((d) => d.value)).toEqual(['203.0.113.5']);
  });
});
