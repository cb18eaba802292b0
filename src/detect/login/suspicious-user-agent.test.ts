import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { SuspiciousUserAgentDetector, suspiciousUserAgentConfigSchema } from './suspicious-user-agent.js';
import { ev, fail, recorder, T0, testIds } from './test-support.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

function detector(over: object = {}) {
  const rec = recorder();
  const config = { ...(Value.Default(suspiciousUserAgentConfigSchema, {}) as object), ...over } as never;
  return { d: new SuspiciousUserAgentDetector(config, rec.listener, testIds()), ...rec };
}

describe('SuspiciousUserAgentDetector', () => {
  it('flags tools, empty, short, long and versionless agents with MEDIUM / 0.7', () => {
    const agents = ['curl/8.4.0', 'python-requests/2.31', 'sqlmap/1.8', '', 'abc/1', 'x'.repeat(501), 'SomeClientWithoutVersion', 'Googlebot/2.1 (+http://www.google.com/bot.html)', 'Mozilla/5.0'];
    const { d, opened } = detector();
    agents.forEach((ua, i) => d.onEvent(fail(`80.0.0.${i}`, 'u', i, { userAgent: ua })));
    expect(opened.map((x) => x.sourceIp)).toEqual(agents.map((_, i) => `80.0.0.${i}`));
    expect(opened[0]).toMatchObject({ type: 'suspicious_user_agent', severity: 'MEDIUM', confidence: 0.7 });
    expect(opened[3]?.evidence.reasons).toEqual(['empty']);
  });

  it('length edges: 10 characters pass, 9 do not; 500 pass, 501 do not', () => {
    const { d, opened } = detector();
    d.onEvent(fail('81.0.0.1', 'u', 0, { userAgent: 'Client/1.0' })); // 10
    d.onEvent(fail('81.0.0.2', 'u', 0, { userAgent: 'Client/10' })); // 9
    d.onEvent(fail('81.0.0.3', 'u', 0, { userAgent: 'App/1.0 ' + 'a'.repeat(492) })); // 500
    d.onEvent(fail('81.0.0.4', 'u', 0, { userAgent: 'App/1.0 ' + 'a'.repeat(493) })); // 501
    expect(opened.map((x) => x.sourceIp)).toEqual(['81.0.0.2', '81.0.0.4']);
  });

  it('real browsers pass; events without a userAgent property are never judged', () => {
    const { d, opened } = detector();
    d.onEvent(fail('82.0.0.1', 'u', 0, { userAgent: CHROME }));
    d.onEvent(fail('82.0.0.2', 'u', 0));
    d.onEvent(ev('process', '82.0.0.3', undefined, 0, { userAgent: 'curl/8' }));
    d.onEvent(ev('http.request', '82.0.0.4', undefined, 0, { userAgent: 'Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36' }));
    expect(opened).toHaveLength(0);
  });

  it('one detection per IP per window, not per event; closes after a quiet window', () => {
    const { d, opened, closed } = detector();
    for (let i = 0; i < 50; i++) d.onEvent(ev('http.request', '83.0.0.1', undefined, i, { userAgent: i % 2 ? 'curl/8.4.0' : 'Nikto/2.5.0 (Evasions:None)' }));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.evidence.eventCount).toBe(50);
    expect(opened[0]?.evidence.reasons).toEqual(['tool:nikto', 'tool:curl']);
    d.advance(T0 + 49_000 + 600_001);
    expect(closed).toHaveLength(1);
  });

  it('bounds open detections and counts the evicted', () => {
    const { d, closed } = detector({ maxOpenDetections: 2 });
    for (let i = 0; i < 5; i++) d.onEvent(fail(`84.0.0.${i}`, 'u', i, { userAgent: 'wget/1.2' }));
    expect(d.stats()).toEqual({ trackedKeys: 2, evictedKeys: 3 });
    expect(closed).toHaveLength(3);
  });
});
