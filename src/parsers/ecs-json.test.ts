import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../core/ids.js';
import { ecsField, ecsJsonParser } from './ecs-json.js';

const ctx = { ids: new IdGenerator('t', 'x'), now: () => 0 };
const parse = (record: unknown) => ecsJsonParser.parse(JSON.stringify(record), ctx);

describe('ecsJsonParser', () => {
  it('authentication failure with dotted keys', () => {
    const out = parse({
      '@timestamp': '2024-05-01T12:00:00.123Z',
      'ecs.version': '8.11.0',
      'event.category': ['authentication'],
      'event.outcome': 'failure',
      'event.action': 'user_login',
      'event.reason': 'INVALID_PASSWORD',
      'source.ip': '::ffff:198.51.100.4',
      'user.name': 'alice',
      'user_agent.original': 'curl/8.0',
    });
    expect(out.event).toMatchObject({
      kind: 'login.failure',
      timestamp: Date.parse('2024-05-01T12:00:00.123Z'),
      sourceIp: '198.51.100.4',
      username: 'alice',
      userAgent: 'curl/8.0',
      reason: 'INVALID_PASSWORD',
      labels: { parser: 'ecs', action: 'user_login' },
    });
  });

  it('authentication success with nested keys and http details', () => {
    const out = parse({
      '@timestamp': '2024-05-01T12:00:00Z',
      event: { category: 'authentication', outcome: 'success' },
      source: { ip: '2001:db8::1' },
      user: { name: 'bob' },
      http: { request: { method: 'post' }, response: { status_code: 200 } },
      url: { path: '/login', query: 'next=/' },
    });
    expect(out.event).toMatchObject({
      kind: 'login.success',
      sourceIp: '2001:db8::1',
      http: { method: 'POST', path: '/login', query: 'next=/', status: 200 },
    });
  });

  it('web request → http.request (mixed dotted and nested keys)', () => {
    const out = parse({ '@timestamp': '2024-05-01T12:00:00Z', 'http.request': { method: 'GET' }, url: { original: '/a?b=c' }, 'source.ip': '192.0.2.1', 'http.response.status_code': 404 });
    expect(out.event).toMatchObject({ kind: 'http.request', http: { method: 'GET', path: '/a', query: 'b=c', status: 404 } });
  });

  it('skips records without an authentication or http meaning, and unknown outcomes', () => {
    expect(parse({ '@timestamp': '2024-05-01T12:00:00Z', message: 'started' })).toEqual({ skipped: true });
    expect(parse({ 'event.category': 'authentication', 'event.outcome': 'unknown', 'source.ip': '1.2.3.4' })).toEqual({ skipped: true });
  });

  it('reports errors a user can act on', () => {
    expect(parse({ 'event.category': 'authentication', 'event.outcome': 'failure' }).error).toMatch(/source.ip is required/);
    expect(parse({ 'event.category': 'authentication', 'event.outcome': 'failure', 'source.ip': 'example.com' }).error).toMatch(/not an IPv4/);
    expect(parse({ 'event.category': 'authentication', 'event.outcome': 'failure', 'source.ip': '1.2.3.4', '@timestamp': 'yesterday' }).error).toMatch(/@timestamp/);
    expect(ecsJsonParser.parse('[1]', ctx).error).toMatch(/JSON object/);
    expect(ecsJsonParser.parse('{"a":', ctx).error).toMatch(/invalid JSON/);
    expect(ecsJsonParser.parse('', ctx).error).toMatch(/empty/);
    expect(ecsJsonParser.parse('{"a":"' + 'x'.repeat(1024 * 1024) + '"}', ctx).error).toMatch(/characters long/);
  });

  it('ecsField finds values under any mix of dotted and nested keys', () => {
    expect(ecsField({ a: { 'b.c': { d: 1 } } }, 'a.b.c.d')).toBe(1);
    expect(ecsField({ 'a.b': { c: 2 } }, 'a.b.c')).toBe(2);
    expect(ecsField({ a: { b: 3 } }, 'a.c')).toBeUndefined();
  });

  it('detects ECS lines', () => {
    expect(ecsJsonParser.detect('{"@timestamp":"x","ecs.version":"8"}')).toBe(true);
    expect(ecsJsonParser.detect('{"eventType":"LOGIN_FAILURE"}')).toBe(false);
  });
});
