import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IOC_DEFAULTS, normalizeIoc, type IocInput } from '../../intel/ioc.js';
import { IocMatcher } from '../../intel/matcher.js';
import { ThreatScorer, scorerConfigSchema, type ScorerConfig } from '../../respond/scorer.js';
import { ev, recorder, testIds } from '../login/test-support.js';
import { KnownThreatSourceDetector, knownThreatSourceConfigSchema, type KnownThreatSourceConfig } from './known-threat-source.js';

const config = Value.Default(knownThreatSourceConfigSchema, {}) as KnownThreatSourceConfig;

function setup(iocs: IocInput[], overrides: Partial<KnownThreatSourceConfig> = {}) {
  const matcher = new IocMatcher();
  for (const i of iocs) matcher.set(normalizeIoc(i, { ...DEFAULT_IOC_DEFAULTS, source: 'feed-x' }, 1000));
  const rec = recorder();
  return { matcher, rec, detector: new KnownThreatSourceDetector({ ...config, ...overrides }, rec.listener, testIds(), matcher) };
}

describe('KnownThreatSourceDetector', () => {
  it('raises one detection per source IP with the IOC in evidence, extended by later hits, closed when quiet', () => {
    const { detector, rec } = setup([{ value: '203.0.113.0/24', threatType: 'botnet', confidence: 80, tags: ['mirai'] }]);
    detector.onEvent(ev('login.failure', '203.0.113.9', 'root', 0));
    detector.onEvent(ev('login.failure', '203.0.113.9', 'admin', 5));
    detector.onEvent(ev('login.failure', '198.51.100.1', 'root', 6));
    expect(rec.opened).toHaveLength(1);
    const d = rec.opened[0];
    expect(d).toMatchObject({
      detector: 'known_threat_source',
      type: 'known_threat_source',
      sourceIp: '203.0.113.9',
      severity: 'CRITICAL',
      confidence: 0.8,
      evidence: {
        eventCount: 2,
        ioc: { hit: true, value: '203.0.113.0/24', type: 'cidr', threatType: 'botnet', confidence: 80, source: 'feed-x', tags: ['mirai'], matchedOn: 'sourceIp', observed: '203.0.113.9' },
        matches: ['cidr:203.0.113.0/24'],
      },
    });
    detector.advance(Date.UTC(2026, 0, 5, 14));
    expect(rec.closed).toHaveLength(1);
  });

  it('checks the requested host, absolute URLs, url labels, hashes and email user names', () => {
    const { detector, rec } = setup([
      { value: 'evil.example', threatType: 'phishing' },
      { value: 'http://files.example/dropper.exe' },
      { value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', threatType: 'malware' },
      { value: 'mule@bad.example' },
    ]);
    detector.onEvent(ev('http.request', '192.0.2.1', undefined, 0, { http: { path: '/', headers: { host: 'login.EVIL.example:8443' } } }));
    detector.onEvent(ev('http.request', '192.0.2.2', undefined, 0, { http: { path: 'http://files.example/dropper.exe' } }));
    detector.onEvent(ev('process', '192.0.2.3', undefined, 0, { labels: { 'file.hash.sha256': 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' } }));
    detector.onEvent(ev('login.success', '192.0.2.4', 'Mule@bad.example', 0));
    detector.onEvent(ev('http.request', '192.0.2.5', undefined, 0, { labels: { url: 'https://cdn.evil.example/x.js' } }));
    detector.onEvent(ev('http.request', '192.0.2.6', undefined, 0, { http: { path: '/', headers: { host: 'good.example' } } }));
    expect(rec.opened.map((d) => [d.sourceIp, (d.evidence.ioc as { matchedOn: string }).matchedOn])).toEqual([
      ['192.0.2.1', 'host'],
      ['192.0.2.2', 'url'],
      ['192.0.2.3', 'hash'],
      ['192.0.2.4', 'email'],
      ['192.0.2.5', 'host'],
    ]);
  });

  it('ignores IOCs below minConfidence', () => {
    const { detector, rec } = setup([{ value: '192.0.2.1', confidence: 20 }], { minConfidence: 50 });
    detector.onEvent(ev('login.failure', '192.0.2.1', 'x', 0));
    expect(rec.opened).toEqual([]);
  });

  it('is scored CRITICAL whatever its configured severity, naming the IOC', () => {
    const { detector, rec } = setup([{ value: '192.0.2.1', threatType: 'c2' }], { severity: 'LOW' });
    detector.onEvent(ev('login.failure', '192.0.2.1', 'x', 0));
    const scorer = new ThreatScorer(Value.Default(scorerConfigSchema, {}) as ScorerConfig);
    const result = scorer.score(rec.opened[0] as never);
    expect(result.level).toBe('CRITICAL');
    expect(result.reasons).toContain('known threat source (IOC match: ipv4 192.0.2.1, c2, from feed-x): LOW → CRITICAL');
  });
});
