import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../core/ids.js';
import { springAuthParser } from './spring-auth.js';

const ctx = { ids: new IdGenerator('t', 'x'), now: () => 0, timeZone: 'Europe/Berlin' };
const parse = (line: string) => springAuthParser.parse(line, ctx);
const lines = readFileSync(new URL('./testdata/spring-auth.txt', import.meta.url), 'utf8').trimEnd().split('\n');

describe('springAuthParser', () => {
  it('Boot 2 layout: bad credentials (zone-less time read in ctx.timeZone)', () => {
    expect(parse(lines[0]!).event).toMatchObject({
      kind: 'login.failure',
      timestamp: Date.parse('2024-05-01T10:00:00.123Z'),
      sourceIp: '1.2.3.4',
      username: 'alice',
      reason: 'INVALID_PASSWORD',
      labels: { parser: 'spring', level: 'WARN', pid: '1234', thread: 'nio-8080-exec-1' },
    });
  });

  it('success, locked, disabled and unknown failure events', () => {
    expect(parse(lines[1]!).event).toMatchObject({ kind: 'login.success', username: 'alice', sessionId: 'A1B2C3' });
    expect(parse(lines[2]!).event).toMatchObject({ reason: 'ACCOUNT_LOCKED', username: 'bob' });
    expect(parse(lines[3]!).event).toMatchObject({ reason: 'ACCOUNT_DISABLED', sourceIp: '2001:db8::5' });
    expect(parse(lines[4]!).event).toMatchObject({ reason: 'SOMETHING_NEW' });
  });

  it('Boot 3 layouts (with and without application name), offsets honoured', () => {
    expect(parse(lines[5]!).event).toMatchObject({ timestamp: Date.parse('2024-05-01T10:00:00.123Z'), labels: { app: 'shop', thread: 'nio-8080-exec-1' } });
    expect(parse(lines[6]!).event).toMatchObject({ kind: 'login.failure', sourceIp: '198.51.100.7' });
  });

  it('Spring Security 4 details format and an injected user name', () => {
    expect(parse(lines[7]!).event).toMatchObject({ sourceIp: '127.0.0.1', username: 'carol' });
    const injected = parse(lines[8]!).event;
    expect(injected?.sourceIp).toBe('203.0.113.50');
    expect(injected?.username).toBe('x; details: WebAuthenticationDetails [RemoteIpAddress=9.9.9.9, SessionId=null]');
  });

  it('InteractiveAuthenticationSuccessEvent is a companion of AuthenticationSuccessEvent', () => {
    expect(parse(lines[9]!).event?.labels.companion).toBe('true');
  });

  it('skips other lines of the layout, reports others', () => {
    expect(parse(lines[10]!)).toEqual({ skipped: true });
    expect(parse('2024-05-01 12:00:00.123  INFO 1 --- [main] o.s.s.a.e.LoggerListener : Authentication event AuthenticationFailureBadCredentialsEvent: a; details: null; exception: Bad credentials').error).toMatch(/RemoteIpAddress/);
    expect(parse('hello').error).toMatch(/not a Spring Boot log line/);
    expect(parse('').error).toMatch(/empty/);
    expect(parse('2024-05-01 12:00:00.123  WARN 1 --- [main] x : ' + 'y'.repeat(1024 * 1024)).error).toMatch(/characters long/);
    expect(parse('2024-05-01 12:00:00.123  WARN 1 --- [main] o.s.s.a.e.LoggerListener').error).toMatch(/truncated/);
  });

  it('detects the layout', () => {
    expect(springAuthParser.detect(lines[0]!)).toBe(true);
    expect(springAuthParser.detect('Nov 18 09:16:05 h sshd[1]: x')).toBe(false);
  });
});
