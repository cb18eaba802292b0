import { CoordinationV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeApi } from '../../test/helpers/servers/fake-kube-api.js';
import { LeaderElector } from './leader-election.js';

const logger = pino({ level: 'silent' });

describe('leader election on a Lease (fake API server)', () => {
  let api: FakeKubeApi;
  let clock: number;
  const elector = (identity: string) =>
    new LeaderElector(api.kubeConfig().makeApiClient(CoordinationV1Api), { namespace: 'vigil', name: 'vigil-heal', identity, leaseDurationMs: 15_000 }, logger, () => clock);
  const lease = () => api.get('leases', 'vigil-heal', 'vigil') as { spec: { holderIdentity: string; leaseTransitions: number; renewTime: string; acquireTime: string; leaseDurationSeconds: number } };

  beforeEach(async () => {
    api = await new FakeKubeApi().start();
    clock = Date.parse('2026-11-23T10:00:00Z');
  });
  afterEach(async () => {
    await api.stop();
  });

  it('the first replica creates the Lease; the second stays follower while it is renewed', async () => {
    const a = elector('vigil-heal-a');
    const b = elector('vigil-heal-b');
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(lease().spec).toMatchObject({ holderIdentity: 'vigil-heal-a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(await b.tryAcquireOrRenew()).toBe(false);
    clock += 10_000;
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(lease().spec.renewTime).toBe('2026-11-23T10:00:10.000Z');
    clock += 10_000; // 10 s after the renewal: still valid
    expect(await b.tryAcquireOrRenew()).toBe(false);
    expect(b.isLeader).toBe(false);
  });

  it('takes over an expired Lease and counts the transition; the old leader then follows', async () => {
    const a = elector('vigil-heal-a');
    const b = elector('vigil-heal-b');
    await a.tryAcquireOrRenew();
    clock += 16_000;
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(lease().spec).toMatchObject({ holderIdentity: 'vigil-heal-b', leaseTransitions: 1, acquireTime: '2026-11-23T10:00:16.000Z' });
    expect(await a.tryAcquireOrRenew()).toBe(false);
    expect(a.isLeader).toBe(false);
  });

  it('a write with a stale resourceVersion loses (409 Conflict), so two replicas cannot both win', async () => {
    const a = elector('vigil-heal-a');
    await a.tryAcquireOrRenew();
    clock += 16_000;
    // b reads the expired Lease, then a renews before b writes: b's PUT carries the old resourceVersion.
    const coordination = api.kubeConfig().makeApiClient(CoordinationV1Api);
    const stale = await coordination.readNamespacedLease({ namespace: 'vigil', name: 'vigil-heal' });
    expect(await a.tryAcquireOrRenew()).toBe(true);
    await expect(
      coordination.replaceNamespacedLease({ namespace: 'vigil', name: 'vigil-heal', body: { ...stale, spec: { ...stale.spec, holderIdentity: 'vigil-heal-b' } } }),
    ).rejects.toMatchObject({ code: 409 });
    expect(lease().spec.holderIdentity).toBe('vigil-heal-a');
  });

  it('release hands the Lease over at once', async () => {
    const a = elector('vigil-heal-a');
    const b = elector('vigil-heal-b');
    await a.tryAcquireOrRenew();
    await a.release();
    expect(a.isLeader).toBe(false);
    expect(lease().spec.holderIdentity).toBe('');
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(lease().spec.leaseTransitions).toBe(0);
  });

  it('an API error means not leading', async () => {
    const a = elector('vigil-heal-a');
    await a.tryAcquireOrRenew();
    api.failNext.set('GET /apis/coordination.k8s.io/v1/namespaces/vigil/leases/vigil-heal', 503);
    expect(await a.tryAcquireOrRenew()).toBe(false);
    expect(await a.tryAcquireOrRenew()).toBe(true);
  });
});
