import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../core/ids.js';
import { nativeJsonParser, normalizeNative, type NativeContext } from './native-json.js';

const ctx: NativeContext = { ids: new IdGenerator('ev', 't'), now: () => 42_000 };

describe('native JSON events', () => {
  it('normalises a login failure', () => {
    const { event, error } = normalizeNative(
      {
        eventType: 'LOGIN_FAILURE',
        timestamp: '2024-05-01T12:00:00Z',
        sourceIp: '203.0.113.5',
        username: 'alice',
        reason: 'INVALID_PASSWORD',
        userAgent: 'Mozilla/5.0',
        sessionId: 's1',
        userId: 'u1',
      },
      ctx,
    );
    expect(error).toBeUndefined();
    expect(event).toMatchObject({
      kind: 'login.failure',
      timestamp: Date.UTC(2024, 4, 1, 12),
      sourceIp: '203.0.113.5',
      username: 'alice',
      reason: 'INVALID_PASSWORD',
      userAgent: 'Mozilla/5.0',
      sessionId: 's1',
      userId: 'u1',
    });
    expect(event?.id).toMatch(/^ev-t-/);
  });

  it('keeps an optional login duration and refuses a bad one', () => {
    const ok = normalizeNative({ eventType: 'LOGIN_SUCCESS', sourceIp: '203.0.113.5', durationMs: 250 }, ctx);
    expect(ok.event?.durationMs).toBe(250);
    expect(normalizeNative({ eventType: 'LOGIN_SUCCESS', sourceIp: '203.0.113.5' }, ctx).event?.durationMs).toBeUndefined();
    expect(normalizeNative({ kind: 'login.failure', sourceIp: '203.0.113.5', durationMs: 12.5 }, ctx).event?.durationMs).toBe(12.5);
    expect(normalizeNative({ eventType: 'LOGIN_FAILURE', sourceIp: '203.0.113.5', durationMs: -1 }, ctx).error).toBe(
      'durationMs: expected a number of milliseconds ≥ 0, got number -1',
    );
    expect(normalizeNative({ eventType: 'LOGIN_FAILURE', sourceIp: '203.0.113.5', durationMs: '5' }, ctx).error).toMatch(/^durationMs: expected/);
  });

  it('normalises a security violation with object eventData', () => {
    const { event } = normalizeNative(
      { eventType: 'XSS_ATTACK', clientIp: '::ffff:198.51.100.2', eventData: { param: '<script>' }, timestamp: 1000 },
      ctx,
    );
    expect(event).toMatchObject({
      kind: 'waf.violation',
      violationType: 'XSS_ATTACK',
      sourceIp: '198.51.100.2',
      eventData: '{"param":"<script>"}',
      timestamp: 1000,
    });
  });

  it('accepts other violation names as generic violations', () => {
    expect(normalizeNative({ eventType: 'HONEYPOT_HIT', clientIp: '192.0.2.1' }, ctx).event?.violationType).toBe('HONEYPOT_HIT');
  });

  it('accepts the normalised shape with http details', () => {
    const { event } = normalizeNative(
      { kind: 'http.request', sourceIp: '192.0.2.9', http: { method: 'get', path: '/a', query: 'b=1', status: 200, headers: { 'User-Agent': 'x' } } },
      ctx,
    );
    expect(event?.http).toEqual({ method: 'GET', path: '/a', query: 'b=1', status: 200, headers: { 'user-agent': 'x' } });
  });

  it('stamps records without a time with the current time', () => {
    expect(normalizeNative({ eventType: 'LOGIN_SUCCESS', sourceIp: '192.0.2.1' }, ctx).event?.timestamp).toBe(42_000);
  });

  it('uses the fallback address only when the record has none', () => {
    const withFallback: NativeContext = { ...ctx, fallbackIp: '192.0.2.200' };
    expect(normalizeNative({ eventType: 'LOGIN_FAILURE' }, withFallback).event?.sourceIp).toBe('192.0.2.200');
    expect(normalizeNative({ eventType: 'LOGIN_FAILURE', sourceIp: '192.0.2.3' }, withFallback).event?.sourceIp).toBe('192.0.2.3');
  });

  it.each([
    [5, 'expected a JSON object, got number 5'],
    [[], 'expected a JSON object, got an array'],
    [{}, 'eventType or kind: required'],
    [{ eventType: 'LOGIN_FAILURE' }, 'sourceIp: required'],
    [{ eventType: 'LOGIN_FAILURE', sourceIp: '999.1.1.1' }, 'sourceIp: expected an IPv4 or IPv6 address, got "999.1.1.1"'],
    [{ eventType: 'LOGIN_FAILURE', sourceIp: 5 }, 'sourceIp: expected an IP address string, got number 5'],
    [{ eventType: 'LOGIN_FAILURE', sourceIp: '192.0.2.1', timestamp: 'soon' }, 'timestamp: expected epoch milliseconds'],
    [{ eventType: 'LOGIN_FAILURE', sourceIp: '192.0.2.1', username: ['a'] }, 'username: expected a string, got an array'],
    [{ eventType: 7, sourceIp: '192.0.2.1' }, 'eventType: expected a non-empty string'],
    [{ kind: 'http.request', sourceIp: '192.0.2.1', http: { status: 'ok' } }, 'http.status: expected an integer'],
    [{ eventType: 'LOGIN_FAILURE', sourceIp: '192.0.2.1', username: 'x'.repeat(2000) }, 'username: longer than 1024 characters'],
  ])('rejects %j with a clear reason', (value, reason) => {
    const outcome = normalizeNative(value, ctx);
    expect(outcome.event).toBeUndefined();
    expect(outcome.error).toContain(reason);
  });

  it('parses lines and reports invalid JSON', () => {
    expect(nativeJsonParser.parse('{"eventType":"LOGIN_SUCCESS","sourceIp":"192.0.2.1"}', ctx).event?.kind).toBe('login.success');
    expect(nativeJsonParser.parse('{"eventType":', ctx).error).toMatch(/^invalid JSON/);
    expect(nativeJsonParser.detect('{"eventType":"LOGIN_FAILURE"}')).toBe(true);
    expect(nativeJsonParser.detect('Jan  1 00:00:00 host sshd[1]: Failed password')).toBe(false);
  });
});
