import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { timeOf } from './conditions.js';
import { statusOf } from './executor.js';
import { errorText } from './recorder.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it:
 * the holder renews `renewTime`; another replica takes the Lease over only
 * once `renewTime + leaseDurationSeconds` has passed. Every write carries
 * the resourceVersion read, so two replicas racing for an expired Lease
 * cannot both win (the loser gets 409 Conflict).
 */
export class LeaderElector {
  private leader = false;

  constructor(
    private readonly api: CoordinationV1Api,
    private readonly options: LeaderElectionOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  /** One attempt to acquire or renew; returns whether this replica leads afterwards. Errors count as not leading. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const was = this.leader;
    try {
      this.leader = await this.attempt();
    } catch (err) {
      if (statusOf(err) !== 409) this.logger.warn({ err: errorText(err), lease: this.options.name }, 'heal: leader election failed');
      this.leader = false;
    }
    if (was !== this.leader) this.logger.info({ identity: this.options.identity, lease: this.options.name }, this.leader ? 'heal: became leader' : 'heal: lost leadership');
    return this.leader;
  }

  private async attempt(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationMs } = this.options;
    const now = new Date(this.now());
    const durationSeconds = Math.max(1, Math.round(leaseDurationMs / 1000));
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      await this.api.createNamespacedLease({
        namespace,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
        },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewed = timeOf(spec.renewTime as Date | string | undefined) ?? 0;
    const expired = holder === '' || renewed + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 < now.getTime();
    if (holder !== identity && !expired) return false;
    const takeover = holder !== identity;
    await this.api.replaceNamespacedLease({
      namespace,
      name,
      body: {
        ...lease,
        spec: {
          ...spec,
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          renewTime: now,
          acquireTime: takeover ? now : spec.acquireTime,
          leaseTransitions: (spec.leaseTransitions ?? 0) + (takeover && holder !== '' ? 1 : 0),
        },
      },
    });
    return true;
  }

  /** Gives the Lease up on shutdown so another replica takes over at once. */
  async release(): Promise<void> {
    if (!this.leader) return;
    this.leader = false;
    const { namespace, name, identity } = this.options;
    try {
      const lease = await this.api.readNamespacedLease({ namespace, name });
      if (lease.spec?.holderIdentity !== identity) return;
      await this.api.replaceNamespacedLease({ namespace, name, body: { ...lease, spec: { ...lease.spec, holderIdentity: '', renewTime: new Date(this.now()) } } });
    } catch (err) {
      this.logger.warn({ err: errorText(err) }, 'heal: could not release the Lease');
    }
  }
}
