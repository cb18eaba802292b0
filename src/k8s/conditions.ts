import type { V1Node, V1Pod } from '@kubernetes/client-node';

/**
 * Pod and node health, pure: an observed object (as the API server returns
 * it, or as the client deserialised it: time stamps may be strings or Dates)
 * plus metric signals in, the conditions that hold out.
 */

export const POD_CONDITIONS = ['failed', 'crashLoop', 'restarts', 'notReady', 'down', 'memory', 'cpu', 'latency'] as const;
/** In order of precedence: when several hold, the first one drives the action. */
export type PodCondition = (typeof POD_CONDITIONS)[number];

export const NODE_CONDITIONS = ['notReady', 'memoryPressure', 'diskPressure', 'pidPressure', 'cpu', 'memory'] as const;
export type NodeCondition = (typeof NODE_CONDITIONS)[number];

export interface PodFinding {
  condition: PodCondition;
  detail: string;
}

export interface NodeFinding {
  condition: NodeCondition;
  detail: string;
}

export interface PodThresholds {
  /** Unhealthy above this many restarts (sum over containers). */
  maxRestarts: number;
  notReadyAfterMs: number;
  cpuRatio: number;
  memoryRatio: number;
  latencySeconds: number;
}

export interface NodeThresholds {
  nodeCpuRatio: number;
  nodeMemoryRatio: number;
}

/** Values read from Prometheus for one pod (absent: no sample). */
export interface PodSignals {
  cpu?: number;
  memory?: number;
  /** Present when a target of this pod reports `up == 0`. */
  down?: number;
  latency?: number;
}

export interface NodeSignals {
  cpu?: number;
  memory?: number;
}

/** Metric signals keyed by `namespace/pod` and by node name. */
export interface MetricSignals {
  pods: Map<string, PodSignals>;
  nodes: Map<string, NodeSignals>;
}

export const emptySignals = (): MetricSignals => ({ pods: new Map(), nodes: new Map() });

/** Milliseconds since the epoch of an API time stamp (RFC 3339 string or Date); undefined when absent or unreadable. */
export function timeOf(value: Date | string | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

export function podKey(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

export function restartCount(pod: V1Pod): number {
  let total = 0;
  for (const status of pod.status?.containerStatuses ?? []) total += status.restartCount ?? 0;
  return total;
}

/** The conditions that hold for `pod`, in precedence order. Terminating and completed pods have none. */
export function podFindings(pod: V1Pod, now: number, thresholds: PodThresholds, signals?: PodSignals): PodFinding[] {
  if (pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null) return [];
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return [];
  const findings: PodFinding[] = [];
  if (phase === 'Failed') findings.push({ condition: 'failed', detail: `phase Failed${pod.status?.reason ? ` (${pod.status.reason})` : ''}` });

  const crashing = (pod.status?.containerStatuses ?? []).find((s) => s.state?.waiting?.reason === 'CrashLoopBackOff');
  if (crashing !== undefined) findings.push({ condition: 'crashLoop', detail: `container ${crashing.name} in CrashLoopBackOff` });

  const restarts = restartCount(pod);
  if (restarts > thresholds.maxRestarts) findings.push({ condition: 'restarts', detail: `${restarts} restarts (> ${thresholds.maxRestarts})` });

  if (phase !== 'Failed') {
    const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') {
      const since = timeOf(ready?.lastTransitionTime) ?? timeOf(pod.status?.startTime) ?? timeOf(pod.metadata?.creationTimestamp);
      if (since !== undefined && now - since > thresholds.notReadyAfterMs) {
        findings.push({ condition: 'notReady', detail: `not Ready for ${Math.round((now - since) / 1000)} s` });
      }
    }
  }

  if (signals !== undefined) {
    if (signals.down !== undefined) findings.push({ condition: 'down', detail: 'scrape target down (up == 0)' });
    if (signals.memory !== undefined && signals.memory > thresholds.memoryRatio) {
      findings.push({ condition: 'memory', detail: `memory at ${ratio(signals.memory)} of its limit (> ${ratio(thresholds.memoryRatio)})` });
    }
    if (signals.cpu !== undefined && signals.cpu > thresholds.cpuRatio) {
      findings.push({ condition: 'cpu', detail: `CPU at ${ratio(signals.cpu)} of its limit (> ${ratio(thresholds.cpuRatio)})` });
    }
    if (signals.latency !== undefined && signals.latency > thresholds.latencySeconds) {
      findings.push({ condition: 'latency', detail: `request latency ${signals.latency.toFixed(1)} s (> ${thresholds.latencySeconds} s)` });
    }
  }
  return findings.sort((a, b) => POD_CONDITIONS.indexOf(a.condition) - POD_CONDITIONS.indexOf(b.condition));
}

const PRESSURE: Record<string, NodeCondition> = {
  MemoryPressure: 'memoryPressure',
  DiskPressure: 'diskPressure',
  PIDPressure: 'pidPressure',
};

/** The conditions that hold for `node`, in precedence order. */
export function nodeFindings(node: V1Node, thresholds: NodeThresholds, signals?: NodeSignals): NodeFinding[] {
  const findings: NodeFinding[] = [];
  for (const condition of node.status?.conditions ?? []) {
    if (condition.type === 'Ready' && condition.status !== 'True') {
      findings.push({ condition: 'notReady', detail: `Ready ${condition.status}${condition.reason ? ` (${condition.reason})` : ''}` });
    }
    const pressure = PRESSURE[condition.type];
    if (pressure !== undefined && condition.status === 'True') findings.push({ condition: pressure, detail: `${condition.type} True` });
  }
  if (signals?.cpu !== undefined && signals.cpu > thresholds.nodeCpuRatio) {
    findings.push({ condition: 'cpu', detail: `CPU busy ${ratio(signals.cpu)} (> ${ratio(thresholds.nodeCpuRatio)})` });
  }
  if (signals?.memory !== undefined && signals.memory > thresholds.nodeMemoryRatio) {
    findings.push({ condition: 'memory', detail: `memory used ${ratio(signals.memory)} (> ${ratio(thresholds.nodeMemoryRatio)})` });
  }
  return findings.sort((a, b) => NODE_CONDITIONS.indexOf(a.condition) - NODE_CONDITIONS.indexOf(b.condition));
}

function ratio(value: number): string {
  return value.toFixed(2);
}
