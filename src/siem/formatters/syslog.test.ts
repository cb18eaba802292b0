import { describe, expect, it } from 'vitest';
import { frameSyslog } from '../transports/syslog.js';
import { hostileDetection, longEvent, openDetection } from '../test-fixtures.js';
import { escapeSdValue, formatRfc3164, formatRfc5424, isSdName, rfc3164Timestamp } from './syslog.js';

const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?(?<!\\)\]) (.*)$/s;

describe('RFC 5424', () => {
  it('builds PRI from facility and level, and the header fields', () => {
    const line = formatRfc5424(openDetection, { hostname: 'mymachine.example.com', procId: '8710', appName: 'vigil', body: 'text' });
    const m = RFC5424.exec(line);
    expect(m).not.toBeNull();
    // authpriv (10) * 8 + error (3) for HIGH
    expect(m?.[1]).toBe('83');
    expect(m?.[2]).toBe('2026-01-05T13:45:00.123Z');
    expect(m?.slice(3, 7)).toEqual(['mymachine.example.com', 'vigil', '8710', 'brute_force']);
    expect(m?.[7]).toMatch(/^\[vigil@32473 kind="detection" id="det-7f3a9c-1:open" level="HIGH"/);
  });
  it('escapes ", \\ and ] in SD parameter values (RFC 5424 6.3.3)', () => {
    expect(escapeSdValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    const line = formatRfc5424(hostileDetection, { hostname: 'h', procId: '1', body: 'json' });
    const sd = RFC5424.exec(line)?.[7] ?? '';
    expect(sd).toContain('user="ev|l=user\\\\name  \\"quoted\\"\\] tab here');
    // The SD element ends at the first unescaped ]: the message after it is the JSON body.
    expect(() => JSON.parse(RFC5424.exec(line)?.[8] ?? '')).not.toThrow();
  });
  it('validates SD-IDs and uses NILVALUE without structured data', () => {
    expect(isSdName('vigil@32473')).toBe(true);
    expect(isSdName('bad id')).toBe(false);
    expect(() => formatRfc5424(openDetection, { hostname: 'h', sdId: 'a b' })).toThrow(/SD-ID/);
    expect(formatRfc5424(openDetection, { hostname: 'h', procId: '1', structuredData: false, body: 'text' })).toMatch(/ brute_force - brute_force detected/);
  });
  it('replaces non-ASCII in header fields and uses - for empty ones', () => {
    const line = formatRfc5424(openDetection, { hostname: 'hôst name', procId: '', body: 'text' });
    expect(line).toMatch(/^<83>1 \S+ h\?st\?name vigil - brute_force /);
  });
  it('cuts the message body to maxMessageBytes on a character boundary', () => {
    const line = formatRfc5424(longEvent, { hostname: 'h', procId: '1', body: 'cef', maxMessageBytes: 600 });
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(600);
    expect(line.endsWith('\u2026')).toBe(true);
  });
});

describe('RFC 3164', () => {
  it('pads the day with a space and writes TAG[pid]:', () => {
    expect(rfc3164Timestamp(Date.UTC(2026, 0, 5, 3, 4, 5))).toBe('Jan  5 03:04:05');
    expect(formatRfc3164(openDetection, { hostname: 'mymachine', procId: '42', body: 'text' })).toBe(
      '<83>Jan  5 13:45:00 mymachine vigil[42]: brute_force detected for ip 203.0.113.7 user alice: 42 events, confidence 87%',
    );
  });
  it('never exceeds 1024 bytes', () => {
    expect(Buffer.byteLength(formatRfc3164(longEvent, { hostname: 'h', body: 'cef', maxMessageBytes: 8192 }))).toBeLessThanOrEqual(1024);
  });
});

describe('RFC 6587 framing', () => {
  it('octet-counting prefixes the UTF-8 byte length', () => {
    expect(frameSyslog('<13>1 - - - - - - h\u00e9', 'octet-counting')).toBe('21 <13>1 - - - - - - h\u00e9');
  });
  it('non-transparent framing ends with LF and flattens embedded newlines', () => {
    expect(frameSyslog('a\nb', 'non-transparent')).toBe('a b\n');
  });
});
