import { describe, expect, it } from 'vitest';
import { closedIpv6Detection, decisionRecord, hostileDetection, longEvent, openDetection } from '../test-fixtures.js';
import { escapeCefExtensionValue, escapeCefHeader, formatCef } from './cef.js';

/** Splits an extension on unescaped `=` the way ArcSight's parser does, to prove escaping round-trips. */
function parseExtension(ext: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(\w+)=((?:\\.|[^\\=])*?)(?= \w+=|$)/g;
  for (const m of ext.matchAll(re)) out[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  return out;
}

describe('CEF escaping (examples from "Implementing ArcSight CEF")', () => {
  it('escapes pipes and backslashes in the header', () => {
    expect(escapeCefHeader('detected a | in message')).toBe('detected a \\| in message');
    expect(escapeCefHeader('detected a \\ in packet')).toBe('detected a \\\\ in packet');
    expect(escapeCefHeader('two\nlines')).toBe('two lines');
  });
  it('escapes equals signs, backslashes and newlines in extension values, not pipes', () => {
    expect(escapeCefExtensionValue('This is a value with an = sign')).toBe('This is a value with an \\= sign');
    expect(escapeCefExtensionValue('path c:\\windows')).toBe('path c:\\\\windows');
    expect(escapeCefExtensionValue('line1\nline2\r')).toBe('line1\\nline2\\r');
    expect(escapeCefExtensionValue('a|b')).toBe('a|b');
  });
});

describe('formatCef', () => {
  it('writes the seven header fields and the severity scale', () => {
    const line = formatCef(openDetection, { version: '1.2.3' });
    expect(line.startsWith('CEF:0|Vigil|Vigil|1.2.3|detection:brute_force|brute force detected|8|')).toBe(true);
    expect(formatCef(closedIpv6Detection).split('|')[6]).toBe('10');
  });
  it('uses the standard keys with epoch-ms times and confidence x100', () => {
    const ext = parseExtension(formatCef(openDetection).split('|').slice(7).join('|'));
    expect(ext).toMatchObject({ src: '203.0.113.7', suser: 'alice', act: 'opened', cnt: '42', rt: String(Date.UTC(2026, 0, 5, 13, 45, 0, 123)), cn1: '87', cn1Label: 'confidence', cs1Label: 'detector', cs1: 'brute-force' });
  });
  it('puts IPv6 sources in c6a2 with its label, not in src', () => {
    const ext = parseExtension(formatCef(closedIpv6Detection).split('|').slice(7).join('|'));
    expect(ext.src).toBeUndefined();
    expect(ext.c6a2).toBe('2001:db8::17');
  });
  it('round-trips hostile values through escaping', () => {
    const line = formatCef(hostileDetection);
    // Header: exactly 8 unescaped pipes before the extension.
    expect(line.match(/(?<!\\)\|/g)?.length).toBeGreaterThanOrEqual(7);
    const ext = parseExtension(line.slice(line.indexOf('|rt=') + 1));
    expect(ext.suser).toBe('ev|l=user\\name\r\n"quoted"] tab\there \u00e9\u4e2d\u{1F600} \uFFFDnul');
    expect(ext.cs1).toBe('brute|force=x');
  });
  it('cuts values at the key limit with an ellipsis', () => {
    const ext = parseExtension(formatCef(longEvent).split('|').slice(7).join('|'));
    expect([...(ext.requestClientApplication ?? '')].length).toBe(1023);
    expect(ext.requestClientApplication?.endsWith('\u2026')).toBe(true);
    expect(ext.reason?.length).toBe(1023);
  });
  it('formats decisions with act and end', () => {
    const ext = parseExtension(formatCef(decisionRecord).split('|').slice(7).join('|'));
    expect(ext.act).toBe('block');
    expect(ext.end).toBe(String(decisionRecord.kind === 'decision' ? decisionRecord.decision.until : 0));
  });
});
