import { describe, expect, it } from 'vitest';
import { closedIpv6Detection, decisionRecord, eventRecord, openDetection } from '../test-fixtures.js';
import { formatEcsBulk, formatEcsDocument } from './ecs.js';
import { formatHecBatch, formatHecEvent } from './hec.js';
import { formatSentinelRow } from './sentinel.js';

interface EcsView {
  event: Record<string, unknown>;
  threat: { technique: { id: string[] } };
  source: { ip: string };
  rule: { name: string };
  data_stream?: unknown;
  user_agent: { original: string };
  labels: Record<string, string>;
}

describe('ECS documents and _bulk bodies', () => {
  it('marks detections as alerts with categories, numeric severity and ATT&CK threat fields', () => {
    const doc = formatEcsDocument(openDetection, { index: 'logs-vigil.alerts-default' }) as unknown as EcsView;
    expect(doc.event).toMatchObject({ kind: 'alert', category: ['authentication', 'intrusion_detection'], severity: 73 });
    expect(doc.threat.technique.id).toEqual(['T1110']);
    expect(doc.source.ip).toBe('203.0.113.7');
    expect(doc.rule.name).toBe('brute_force');
    expect(doc.data_stream).toEqual({ type: 'logs', dataset: 'vigil.alerts', namespace: 'default' });
  });
  it('maps events to event.kind event with outcome and user agent', () => {
    const doc = formatEcsDocument(eventRecord, { index: 'vigil' }) as unknown as EcsView;
    expect(doc.event).toMatchObject({ kind: 'event', category: ['authentication'], type: ['start'], outcome: 'failure' });
    expect(doc.user_agent.original).toContain('curl');
    expect(doc.labels).toEqual({ source: 'sshd', host_name: 'web-1' });
    expect(doc.data_stream).toBeUndefined();
  });
  it('writes create actions with the record id and ends with a newline', () => {
    const body = formatEcsBulk([openDetection, closedIpv6Detection, decisionRecord], { index: 'logs-vigil.alerts-default' });
    const lines = body.split('\n');
    expect(body.endsWith('\n')).toBe(true);
    expect(lines).toHaveLength(7);
    expect(JSON.parse(lines[0] as string)).toEqual({ create: { _index: 'logs-vigil.alerts-default', _id: 'det-7f3a9c-1:open' } });
    expect(JSON.parse(lines[2] as string).create._id).toBe('det-7f3a9c-2:closed');
  });
});

describe('Splunk HEC events', () => {
  it('uses epoch seconds with a millisecond fraction and concatenates a batch', () => {
    const event = formatHecEvent(openDetection, { host: 'h' });
    expect(event.time).toBe(1767620700.123);
    expect(event).toMatchObject({ host: 'h', source: 'vigil', sourcetype: 'vigil:detection' });
    expect('index' in event).toBe(false);
    const batch = formatHecBatch([openDetection, eventRecord], { host: 'h', index: 'sec' });
    expect(batch).toMatch(/^\{"time":1767620700\.123,.*\}\{"time":/);
  });
});

describe('Sentinel rows', () => {
  it('has TimeGenerated and no reserved column names', () => {
    const row = formatSentinelRow(openDetection) as unknown as Record<string, unknown>;
    expect(row.TimeGenerated).toBe('2026-01-05T13:45:00.123Z');
    expect(row.Type).toBeUndefined();
    expect(row).toMatchObject({ Severity: 'high', Tactics: 'CredentialAccess', Techniques: 'T1110.001', EventCount: 42 });
  });
});
