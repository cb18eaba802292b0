import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/detection.js';
import { missingServerPolicy } from '../helpers/servers/common.js';
import { redisMissing, startRedis, type RedisServer } from '../helpers/servers/redis.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

const missing = redisMissing();
const policy = missingServerPolicy(missing);

async function decisionsFor(url: string, ip: string): Promise<Decision[]> {
  const response = await fetch(`${url}/api/v1/decisions?ip=${ip}`);
  return ((await response.json()) as { decisions: Decision[] }).decisions;
}

async function eventually<T>(what: string, probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

if (policy === 'fail') {
  describe('scale-out through Redis', () => {
    it('needs redis-server', () => {
      throw new Error(`${missing} (CI=true: the integration tests must run)`);
    });
  });
} else if (policy === 'skip') {
  describe.skip(`scale-out through Redis — skipped: ${missing}`, () => {
    it('needs redis-server', () => undefined);
  });
} else {
  describe('scale-out through Redis: two instances, one attacker', () => {
    let redis: RedisServer;
    const running: RunningService[] = [];
    let deployment = 0;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.destroy();
    });
    afterEach(async () => {
      for (const service of running.splice(0)) await service.stop();
    });

    async function twoInstances(backend: 'redis' | 'memory') {
      const keyPrefix = `deploy${++deployment}:`;
      for (const name of ['A', 'B']) {
        running.push(
          await startService({
            'pipeline.maxLatenessSeconds': 1e12,
            'state.backend': backend,
            'state.redis': { url: redis.url, keyPrefix },
            'state.instanceId': name,
          }),
        );
      }
      return running as [RunningService, RunningService];
    }

    it('detects a brute force whose failures are split between the instances, and both block the IP', async () => {
      const [a, b] = await twoInstances('redis');
      const ip = '203.0.113.77';
      const now = Date.now();
      // Threshold 5 within 300 s: each instance sees 3 failures, below it on its own.
      const failures = Array.from({ length: 6 }, (_, i) => loginFailure(ip, `user${i}`, now - 10_000 + i * 1000));
      expect((await postJson(`${a.url}/api/v1/events`, failures.filter((_, i) => i % 2 === 0))).status).toBe(202);
      await a.service.pipeline.idle();
      await a.service.sharedBruteForce?.flush();
      expect(await decisionsFor(a.url, ip)).toEqual([]);
      expect((await postJson(`${b.url}/api/v1/events`, failures.filter((_, i) => i % 2 === 1))).status).toBe(202);
      await b.service.pipeline.idle();
      await b.service.sharedBruteForce?.flush();

      // Neither instance's own detector fired; the shared window did, once.
      const raised = (a.service.sharedBruteForce?.stats.raised ?? 0) + (b.service.sharedBruteForce?.stats.raised ?? 0);
      expect(raised).toBe(1);
      expect(b.service.sharedBruteForce?.stats.raised).toBe(1);
      const onB = await eventually('a block on B', () => decisionsFor(b.url, ip), (d) => d.length === 1);
      expect(onB[0]).toMatchObject({ scope: 'ip', value: ip, action: 'block', origin: 'brute_force' });
      // A enforces B's decision, received over pub/sub.
      const onA = await eventually('the block shared with A', () => decisionsFor(a.url, ip), (d) => d.length === 1);
      expect(onA[0]).toMatchObject({ scope: 'ip', value: ip, action: 'block', until: onB[0]!.until });
      expect(a.service.decisionSync?.stats.applied).toBe(1);
      const metrics = await (await fetch(`${a.url}/metrics`)).text();
      expect(metrics).toMatch(/vigil_state_decisions_total\{outcome="applied"\} 1/);
      expect(metrics).toMatch(/vigil_state_window_failures_total\{outcome="written"\} 3/);
    });

    it('an instance started later enforces decisions made before it joined', async () => {
      const [a] = await twoInstances('redis');
      const ip = '198.51.100.23';
      const now = Date.now();
      await postJson(`${a.url}/api/v1/events`, Array.from({ length: 5 }, (_, i) => loginFailure(ip, `u${i}`, now - 5000 + i)));
      await a.service.pipeline.idle();
      await eventually('A blocks', () => decisionsFor(a.url, ip), (d) => d.length === 1);
      // Give the asynchronous write to the shared hash a moment to land.
      await eventually('the decision stored', async () => a.service.decisionSync?.stats.shared ?? 0, (n) => n >= 1);
      const c = await startService({
        'pipeline.maxLatenessSeconds': 1e12,
        'state.backend': 'redis',
        'state.redis': { url: redis.url, keyPrefix: `deploy${deployment}:` },
        'state.instanceId': 'C',
      });
      running.push(c);
      expect(await decisionsFor(c.url, ip)).toHaveLength(1);
    });

    it('with the memory backend (the default) the split attack goes unnoticed — what Redis adds', async () => {
      const [a, b] = await twoInstances('memory');
      const ip = '203.0.113.78';
      const now = Date.now();
      const failures = Array.from({ length: 6 }, (_, i) => loginFailure(ip, `user${i}`, now - 10_000 + i * 1000));
      await postJson(`${a.url}/api/v1/events`, failures.filter((_, i) => i % 2 === 0));
      await postJson(`${b.url}/api/v1/events`, failures.filter((_, i) => i % 2 === 1));
      await a.service.pipeline.idle();
      await b.service.pipeline.idle();
      expect(a.service.sharedBruteForce).toBeUndefined();
      expect(await decisionsFor(a.url, ip)).toEqual([]);
      expect(await decisionsFor(b.url, ip)).toEqual([]);
    });
  });
}
