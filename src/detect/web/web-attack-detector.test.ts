import { describe, expect, it } from 'vitest';
import type { Detection } from '../../core/detection.js';
import type { SecurityEvent } from '../../core/event.js';
import { IdGenerator } from '../../core/ids.js';
import type { DetectionListener } from '../detector.js';
import { WebAttackDetector, type WebAttackConfig } from './web-attack-detector.js';

const defaults: WebAttackConfig = { enabled: true, windowSeconds: 300, minConfidence: 0.6, maxValueLength: 8192, maxOpenDetections: 1000 };

function harness(config: Partial<WebAttackConfig> = {}) {
  const opened: Detection[] = [];
  const closed: Detection[] = [];
  const listener: DetectionListener = { opened: (d) => opened.push(d), closed: (d) => closed.push(d) };
  const detector = new WebAttackDetector({ ...defaults, ...config }, listener, new IdGenerator('det', 't'));
  let n = 0;
  const request = (ip: string, seconds: number, path: string, query?: string) => {
    const event: SecurityEvent = { id: `e${++n}`, timestamp: seconds * 1000, kind: 'http.request', sourceIp: ip, http: { method: 'GET', path, query }, labels: {} };
    detector.onEvent(event);
  };
  const command = (ip: string, seconds: number, cmd: string) => {
    detector.onEvent({ id: `e${++n}`, timestamp: seconds * 1000, kind: 'process', sourceIp: ip, command: cmd, labels: {} });
  };
  return { detector, opened, closed, request, command };
}

describe('WebAttackDetector', () => {
  it('turns an SQL injection in a query into one CRITICAL sqli detection per IP, extended by later findings', () => {
    const h = harness();
    h.request('198.51.100.1', 0, '/item', 'id=1%20UNION%20SELECT%20password%20FROM%20users');
    h.request('198.51.100.1', 10, '/item', "id=1'%20OR%20'1'='1");
    h.request('198.51.100.1', 20, '/about', 'name=O%27Brien');
    expect(h.opened).toHaveLength(1);
    const d = h.opened[0] as Detection;
    expect(d).toMatchObject({ type: 'sqli', severity: 'CRITICAL', sourceIp: '198.51.100.1', detector: 'web_attack' });
    expect(d.evidence.eventCount).toBe(2);
    expect(d.evidence.rules).toEqual(expect.arrayContaining(['sqli.union-select']));
    expect((d.evidence.samples as string[])[0]).toContain('union select');
    expect(d.evidence.paths).toEqual(['/item']);
    expect(d.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps classes and IPs apart, and ignores benign requests', () => {
    const h = harness();
    h.request('198.51.100.2', 0, '/search', 'q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    h.request('198.51.100.2', 1, '/download', 'file=..%2F..%2F..%2Fetc%2Fpasswd');
    h.request('198.51.100.3', 2, '/search', 'q=select%20a%20plan');
    h.request('198.51.100.3', 3, '/', 'page=2&sort=name');
    expect(h.opened.map((d) => `${d.type} ${d.sourceIp} ${d.severity}`).sort()).toEqual([
      'traversal 198.51.100.2 HIGH',
      'xss 198.51.100.2 HIGH',
    ]);
  });

  it('classifies process command lines: indicators CRITICAL, persistence HIGH', () => {
    const h = harness();
    h.command('192.0.2.5', 0, 'powershell.exe -NoP -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIAA=');
    h.command('192.0.2.5', 1, 'schtasks /create /tn updater /tr C:\\Users\\Public\\u.exe /sc onlogon');
    h.command('192.0.2.5', 2, 'ls -la /home');
    expect(h.opened.map((d) => `${d.type} ${d.severity}`).sort()).toEqual(['persistence HIGH', 'process_indicator CRITICAL']);
  });

  it('classifies the payload of a reported violation', () => {
    const h = harness();
    h.detector.onEvent({ id: 'v1', timestamp: 0, kind: 'waf.violation', violationType: 'SQL_INJECTION', sourceIp: '198.51.100.9', eventData: '{"param":"id","value":"1 UNION SELECT password FROM users"}', labels: {} });
    h.detector.onEvent({ id: 'v2', timestamp: 1000, kind: 'waf.violation', violationType: 'CORS_VIOLATION', sourceIp: '198.51.100.9', eventData: '{"origin":"https://evil.example"}', labels: {} });
    expect(h.opened.map((d) => `${d.type} ${d.sourceIp}`)).toEqual(['sqli 198.51.100.9']);
    expect(h.opened[0]?.eventIds).toEqual(['v1']);
  });

  it('closes a detection after a quiet window', () => {
    const h = harness({ windowSeconds: 60 });
    h.request('198.51.100.4', 0, '/x', 'a=%3Csvg%20onload%3Dalert(1)%3E');
    h.detector.advance(60_000);
    expect(h.closed).toHaveLength(0);
    h.detector.advance(60_001);
    expect(h.closed).toHaveLength(1);
    h.request('198.51.100.4', 100, '/x', 'a=%3Csvg%20onload%3Dalert(1)%3E');
    expect(h.opened).toHaveLength(2);
  });

  it('ignores verdicts below minConfidence', () => {
    const strict = harness({ minConfidence: 0.99 });
    strict.request('198.51.100.5', 0, '/item', "id=1'%20OR%20'1'='1");
    expect(strict.opened).toHaveLength(0);
  });
});
