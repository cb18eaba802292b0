import { describe, expect, it } from 'vitest';
import { nodeFindings, podFindings, timeOf, type PodThresholds } from './conditions.js';
import { NOW, node, pod } from './test-fixtures.js';

const thresholds: PodThresholds = { maxRestarts: 5, notReadyAfterMs: 300_000, cpuRatio: 0.9, memoryRatio: 0.95, latencySeconds: 30 };
const nodeThresholds = { nodeCpuRatio: 0.9, nodeMemoryRatio: 0.9 };
const conditions = (p: ReturnType<typeof pod>, now = NOW, signals?: Parameters<typeof podFindings>[3]) =>
  podFindings(p, now, thresholds, signals).map((f) => f.condition);

describe('pod conditions', () => {
  it('a running, ready pod is healthy', () => {
    expect(conditions(pod('healthy'))).toEqual([]);
  });

  it('phase Failed', () => {
    const findings = podFindings(pod('failed'), NOW, thresholds);
    expect(findings.map((f) => f.condition)).toEqual(['failed']);
    expect(findings[0]!.detail).toContain('Evicted');
  });

  it('CrashLoopBackOff names the container; not yet not-Ready long enough', () => {
    const findings = podFindings(pod('crashloop'), NOW, thresholds);
    expect(findings.map((f) => f.condition)).toEqual(['crashLoop']);
    expect(findings[0]!.detail).toBe('container web in CrashLoopBackOff');
  });

  it('restart count above the threshold (7 > 5), not at it', () => {
    expect(conditions(pod('restarts'))).toEqual(['restarts']);
    const five = pod('restarts');
    five.status!.containerStatuses![0]!.restartCount = 5;
    expect(conditions(five)).toEqual([]);
  });

  it('not Ready for longer than the threshold, measured from the Ready transition', () => {
    const p = pod('not-ready'); // not Ready since 10:00:00
    expect(conditions(p, Date.parse('2026-11-23T10:04:59Z'))).toEqual([]);
    expect(conditions(p, Date.parse('2026-11-23T10:05:01Z'))).toEqual(['notReady']);
  });

  it('accepts Date objects as the client deserialises them', () => {
    const p = pod('not-ready');
    p.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime = new Date('2026-11-23T10:00:00Z');
    expect(conditions(p)).toEqual(['notReady']);
    expect(timeOf('not a date')).toBeUndefined();
  });

  it('terminating and completed pods have no conditions', () => {
    const terminating = pod('crashloop');
    terminating.metadata!.deletionTimestamp = new Date(NOW);
    expect(conditions(terminating)).toEqual([]);
    const done = pod('failed');
    done.status!.phase = 'Succeeded';
    expect(conditions(done)).toEqual([]);
  });

  it('several conditions come in precedence order', () => {
    const p = pod('crashloop');
    p.status!.containerStatuses![0]!.restartCount = 12;
    expect(conditions(p, NOW + 120_000, { cpu: 0.95, down: 0 })).toEqual(['crashLoop', 'restarts', 'notReady', 'down', 'cpu']);
  });

  it('Prometheus signals against their thresholds (strictly above)', () => {
    const p = pod('healthy');
    expect(conditions(p, NOW, { cpu: 0.9, memory: 0.95, latency: 30 })).toEqual([]);
    expect(conditions(p, NOW, { cpu: 0.91 })).toEqual(['cpu']);
    expect(conditions(p, NOW, { memory: 0.96 })).toEqual(['memory']);
    expect(conditions(p, NOW, { latency: 31 })).toEqual(['latency']);
    expect(conditions(p, NOW, { down: 0 })).toEqual(['down']);
  });
});

describe('node conditions', () => {
  const of = (name: string, signals?: Parameters<typeof nodeFindings>[2]) => nodeFindings(node(name), nodeThresholds, signals).map((f) => f.condition);

  it('a ready node without pressure is healthy', () => {
    expect(of('ready')).toEqual([]);
  });
  it('Ready False and Ready Unknown', () => {
    expect(of('not-ready')).toEqual(['notReady']);
    const unknown = nodeFindings(node('unknown'), nodeThresholds);
    expect(unknown.map((f) => f.condition)).toEqual(['notReady']);
    expect(unknown[0]!.detail).toContain('Unknown');
  });
  it('memory, disk and PID pressure', () => {
    expect(of('memory-pressure')).toEqual(['memoryPressure']);
    expect(of('disk-pressure')).toEqual(['diskPressure']);
    expect(of('pid-pressure')).toEqual(['pidPressure']);
  });
  it('node CPU and memory from Prometheus above 0.9', () => {
    expect(of('ready', { cpu: 0.9, memory: 0.9 })).toEqual([]);
    expect(of('ready', { cpu: 0.97, memory: 0.93 })).toEqual(['cpu', 'memory']);
  });
});
