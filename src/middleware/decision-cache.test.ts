import { describe, expect, it } from 'vitest';
import type { Decision } from '../core/detection.js';
import { DecisionCache, DecisionCacheClosedError, type DecisionStreamBody } from './decision-cache.js';
import { DecisionSet } from './decision-set.js';
import type { Fetcher } from '../client/http-transport.js';

let nextId = 1;
function decision(value: string, until: number, extra: Partial<Decision> = {}): Decision {
  return {
    id: String(nextId++),
    scope: value.includes('/') ? 'range' : 'ip',
    value,
    action: 'block',
    until,
    reason: 'test',
    origin: 'test',
    createdAt: 0,
    ...extra,
  };
}

function body(added: Decision[], deleted: Decision[], lastSeq: number, resync = false): DecisionStreamBody {
  return { new: added, deleted, lastSeq, resync };
}

/** A fetch that answers the queued bodies (or throws the queued errors) in order, then waits until aborted. */
function scriptedFetch(script: (DecisionStreamBody | Error | { status: number })[]) {
  const urls: string[] = [];
  const headers: Record<string, string>[] = [];
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    urls.push(String(input));
    headers.push({ ...(init?.headers as Record<string, string>) });
    const step = script.shift();
    if (step === undefined) {
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    if (step instanceof Error) throw step;
    if ('status' in step) return new Response('{"error":{"code":"X"}}', { status: step.status });
    return new Response(JSON.stringify(step), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as Fetcher;
  return { fn, urls, headers };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('DecisionSet', () => {
  it('answers exact IPs (canonical forms alike) and stops applying a decision once its until has passed', () => {
    const set = new DecisionSet();
    set.replace([decision('203.0.113.7', 1000), decision('2001:db8::1', 1000)]);
    expect(set.lookup('203.0.113.7', 999)?.value).toBe('203.0.113.7');
    expect(set.lookup('::ffff:203.0.113.7', 999)?.value).toBe('203.0.113.7');
    expect(set.lookup('2001:DB8::1', 999)?.value).toBe('2001:db8::1');
    expect(set.lookup('203.0.113.8', 999)).toBeUndefined();
    expect(set.lookup('203.0.113.7', 1000)).toBeUndefined();
    expect(set.lookup('not an ip', 0)).toBeUndefined();
  });

  it('matches ranges through BlockList, IPv4 and IPv6, and forgets a removed or expired range', () => {
    const set = new DecisionSet();
    const v4 = decision('198.51.100.0/24', 5000);
    const v6 = decision('2001:db8:abcd::/48', 2000);
    set.replace([v4, v6]);
    expect(set.lookup('198.51.100.200', 0)?.id).toBe(v4.id);
    expect(set.lookup('198.51.101.1', 0)).toBeUndefined();
    expect(set.lookup('2001:db8:abcd:12::9', 0)?.id).toBe(v6.id);
    expect(set.lookup('2001:db8:abcd:12::9', 2000)).toBeUndefined();
    set.apply([], [v4]);
    expect(set.lookup('198.51.100.200', 0)).toBeUndefined();
    expect(set.lookup('2001:db8:abcd:12::9', 0)?.id).toBe(v6.id);
    expect(set.sweep(2000)).toBe(1);
    expect(set.size).toBe(0);
  });

  it('prefers the exact decision, ignores simulated ones, and keeps a decision re-added under a new id', () => {
    const set = new DecisionSet();
    const range = decision('10.0.0.0/8', 9000, { action: 'captcha' });
    const exact = decision('10.1.2.3', 9000, { action: 'throttle' });
    set.replace([range, exact, decision('10.9.9.9', 9000, { simulated: true })]);
    expect(set.lookup('10.1.2.3', 0)?.id).toBe(exact.id);
    expect(set.lookup('10.9.9.9', 0)?.id).toBe(range.id);
    const replacement = decision('10.1.2.3', 9999);
    set.apply([replacement], [exact]);
    expect(set.lookup('10.1.2.3', 0)?.id).toBe(replacement.id);
    // A late deletion of the old id does not remove its replacement.
    set.apply([], [exact]);
    expect(set.lookup('10.1.2.3', 0)?.id).toBe(replacement.id);
  });

  it('holds user decisions apart from addresses', () => {
    const set = new DecisionSet();
    set.replace([decision('alice', 100, { scope: 'user' })]);
    expect(set.lookupUser('alice', 50)?.value).toBe('alice');
    expect(set.lookupUser('alice', 100)).toBeUndefined();
    expect(set.lookup('203.0.113.1', 50)).toBeUndefined();
  });
});

describe('DecisionCache', () => {
  it('starts with startup=true and the point key, then long-polls since lastSeq and applies deltas', async () => {
    const a = decision('203.0.113.1', Date.now() + 60_000);
    const b = decision('203.0.113.2', Date.now() + 60_000);
    const { fn, urls, headers } = scriptedFetch([body([a], [], 4), body([b], [a], 6)]);
    const cache = new DecisionCache({ url: 'http://vigil.test/', apiKey: 'point-key-0123456789', waitSeconds: 7, fetch: fn });
    await cache.ready;
    await until(() => cache.state().lastSeq === 6);
    expect(urls[0]).toBe('http://vigil.test/api/v1/decisions/stream?startup=true');
    expect(urls[1]).toBe('http://vigil.test/api/v1/decisions/stream?since=4&wait=7');
    expect(urls[2]).toBe('http://vigil.test/api/v1/decisions/stream?since=6&wait=7');
    expect(headers[0]?.['x-api-key']).toBe('point-key-0123456789');
    expect(cache.isBlocked('203.0.113.1')).toBe(false);
    expect(cache.isBlocked('203.0.113.2')).toBe(true);
    expect(cache.fresh).toBe(true);
    await cache.close();
  });

  it('replaces everything on resync: decisions missing from the resync body stop applying', async () => {
    const now = Date.now();
    const old = decision('203.0.113.10', now + 60_000);
    const kept = decision('198.51.100.0/24', now + 60_000);
    const { fn } = scriptedFetch([body([old, kept], [], 10), body([kept], [], 3, true)]);
    const cache = new DecisionCache({ url: 'http://vigil.test', apiKey: 'k'.repeat(20), fetch: fn });
    await until(() => cache.state().lastSeq === 3);
    expect(cache.state().resyncs).toBe(1);
    expect(cache.isBlocked('203.0.113.10')).toBe(false);
    expect(cache.isBlocked('198.51.100.9')).toBe(true);
    await cache.close();
  });

  it('stops applying a decision when its until passes, before the stream says so', async () => {
    let clock = 1_000_000;
    const { fn } = scriptedFetch([body([decision('203.0.113.20', 1_000_500)], [], 1)]);
    const cache = new DecisionCache({ url: 'http://vigil.test', apiKey: 'k'.repeat(20), fetch: fn, now: () => clock, maxStalenessMs: 1e9 });
    await cache.ready;
    expect(cache.isBlocked('203.0.113.20')).toBe(true);
    clock = 1_000_500;
    expect(cache.isBlocked('203.0.113.20')).toBe(false);
    await cache.close();
  });

  it('retries network and HTTP errors with backoff and becomes stale after maxStalenessMs without a sync', async () => {
    let clock = 0;
    const errors: string[] = [];
    const { fn, urls } = scriptedFetch([new Error('ECONNREFUSED'), { status: 503 }, body([], [], 1)]);
    const cache = new DecisionCache({
      url: 'http://vigil.test',
      apiKey: 'k'.repeat(20),
      fetch: fn,
      now: () => clock,
      retryBaseMs: 1,
      retryMaxMs: 2,
      maxStalenessMs: 10_000,
      onError: (e) => errors.push(e.message),
    });
    expect(cache.fresh).toBe(false);
    await cache.ready;
    expect(urls.slice(0, 3).every((u) => u.endsWith('startup=true'))).toBe(true);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toContain('503');
    expect(cache.fresh).toBe(true);
    clock = 10_001;
    expect(cache.fresh).toBe(false);
    expect(cache.state()).toMatchObject({ synced: true, errors: 2 });
    await cache.close();
  });

  it('rejects ready when closed before the first sync, and close aborts the request in flight', async () => {
    const { fn } = scriptedFetch([]);
    const cache = new DecisionCache({ url: 'http://vigil.test', apiKey: 'k'.repeat(20), fetch: fn });
    await cache.close();
    await expect(cache.ready).rejects.toBeInstanceOf(DecisionCacheClosedError);
  });
});
