import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parseSiemConfig, redactSiemSecrets, siemConfigSchema } from './config.js';

describe('siemConfigSchema', () => {
  it('applies defaults per destination type', () => {
    const config = parseSiemConfig({ destinations: [{ name: 'qradar', type: 'leef-syslog', host: 'qradar.example' }] });
    expect(config.spoolDir).toBe('siem-spool');
    expect(config.destinations[0]).toMatchObject({
      queueCapacity: 10_000,
      batchSize: 100,
      flushIntervalSeconds: 30,
      transport: 'tcp',
      framing: 'octet-counting',
      delimiter: '\t',
      filter: { minLevel: 'LOW', kinds: ['detection'], detectionTypes: [], statuses: ['open', 'closed'] },
      spool: { enabled: true },
    });
    expect(Value.Check(siemConfigSchema, config)).toBe(true);
  });

  it('names the destination and option in errors', () => {
    expect(() => parseSiemConfig({ destinations: [{ name: 'splunk', type: 'splunk-hec', url: 'https://s:8088' }] })).toThrow(/destinations\[0\] \(splunk\)\.token/);
    expect(() => parseSiemConfig({ destinations: [{ name: 'x', type: 'kafka' }] })).toThrow(/type must be one of/);
    expect(() => parseSiemConfig({ destinations: [{ name: 'x', type: 'http', url: 'http://h', bogus: 1 }] })).toThrow(/bogus|additional/i);
    expect(() =>
      parseSiemConfig({ destinations: [{ name: 'x', type: 'http', url: 'http://h' }, { name: 'x', type: 'http', url: 'http://h' }] }),
    ).toThrow(/duplicate destination name/);
  });

  it('marks secrets and masks them with redactSiemSecrets', () => {
    const config = parseSiemConfig({
      destinations: [
        { name: 's', type: 'splunk-hec', url: 'https://s:8088', token: 'tok' },
        { name: 'a', type: 'sentinel', endpoint: 'https://e', dcrImmutableId: 'd', streamName: 'st', tenantId: 't', clientId: 'c', clientSecret: 'sec' },
        { name: 'h', type: 'http', url: 'https://h', headers: { Authorization: 'Bearer x' } },
      ],
    });
    const text = JSON.stringify(redactSiemSecrets(config));
    expect(text).not.toMatch(/"tok"|"sec"|Bearer x/);
    expect(redactSiemSecrets(config).destinations[0]).toMatchObject({ token: '***', url: 'https://s:8088' });
    expect(config.destinations[0]).toMatchObject({ token: 'tok' });
  });

  it('has a description on every option', () => {
    const missing: string[] = [];
    const walk = (schema: Record<string, unknown>, path: string) => {
      const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
      if (props) for (const [k, v] of Object.entries(props)) {
        if (typeof v.description !== 'string' && !(Array.isArray(v.anyOf) && path.endsWith('destinations'))) missing.push(`${path}.${k}`);
        walk(v, `${path}.${k}`);
      }
      const items = schema.items as Record<string, unknown> | undefined;
      if (items) walk(items, `${path}[]`);
      for (const member of (schema.anyOf as Array<Record<string, unknown>> | undefined) ?? []) if (member.type === 'object') walk(member, path);
    };
    walk(siemConfigSchema as unknown as Record<string, unknown>, 'siem');
    expect(missing).toEqual([]);
  });
});
