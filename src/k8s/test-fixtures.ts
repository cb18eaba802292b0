import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Deployment, V1Node, V1Pod, V1ReplicaSet, V1StatefulSet } from '@kubernetes/client-node';
import { healConfigSchema, type HealConfig } from './config.js';
import { Value } from '@sinclair/typebox/value';
import type { ClusterState } from './strategies.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

/** A fresh copy of a fixture from testdata/ (tests may change it). */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as T;
}

export const pod = (name: string) => fixture<V1Pod>(`pod-${name}`);
export const node = (name: string) => fixture<V1Node>(`node-${name}`);

/** Fixture time: five minutes and a bit after the fixtures' 10:00 transitions. */
export const NOW = Date.parse('2026-11-23T10:06:00Z');

export function healConfig(overrides: Partial<HealConfig> = {}): HealConfig {
  return { ...(Value.Default(healConfigSchema, {}) as HealConfig), ...overrides };
}

/** The web Deployment (revision 2, 3 replicas, max 5) with both ReplicaSets, node-a and node-b healthy, plus `pods`. */
export function cluster(pods: V1Pod[], extra: Partial<ClusterState> = {}): ClusterState {
  const ready = fixture<V1Node>('node-ready');
  const second = fixture<V1Node>('node-ready');
  second.metadata!.name = 'node-b';
  return {
    pods,
    nodes: [ready, second],
    deployments: [fixture<V1Deployment>('deployment-web')],
    statefulSets: [fixture<V1StatefulSet>('statefulset-db')],
    replicaSets: [fixture<V1ReplicaSet>('replicaset-web-rev1'), fixture<V1ReplicaSet>('replicaset-web-rev2')],
    ...extra,
  };
}
