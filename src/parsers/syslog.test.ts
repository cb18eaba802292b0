import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../core/ids.js';
import { createSyslogParser, detectSyslog, OTHER_PROGRAM, parseSyslog, syslogParser } from './syslog.js';
import type { SyslogRecord } from './syslog.js';

const NOW = Date.parse('2026-11-20T00:00:00Z');
const ctx = { ids: new IdGenerator('t', 'x'), now: () => NOW };
const record = (line: string, timeZone?: string, now = NOW): SyslogRecord => {
  const r = parseSyslog(line, { now, timeZone });
  if (typeof r === 'string' || r === OTHER_PROGRAM) throw new Error(`expected a record: ${String(r)}`);
  return r;
};

describe('parseSyslog', () => {
  it('RFC 3164 with PRI', () => {
    expect(record('<34>Oct 11 22:14:15 mymachine su[230]: \'su root\' failed for lonvick on /dev/pts/8')).toMatchObject({
      format: 'rfc3164',
      facility: 4,
      severity: 2,
      timestamp: Date.parse('2026-10-11T22:14:15Z'),
      host: 'mymachine',
      appName: 'su',
      procId: '230',
      message: "'su root' failed for lonvick on /dev/pts/8",
    });
  });

  it('RFC 3164 as written to files: no PRI, tag without pid', () => {
    const r = record('Nov 18 09:00:01 bastion-01 sudo:    alice : TTY=pts/0 ; COMMAND=/usr/bin/id');
    expect(r).toMatchObject({ facility: undefined, host: 'bastion-01', appName: 'sudo', procId: undefined });
    expect(r.message).toBe('   alice : TTY=pts/0 ; COMMAND=/usr/bin/id');
  });

  it('RFC 5424 with structured data, escapes and BOM', () => {
    const r = record('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App\\"lication\\]"][x@1 a="b"] \uFEFFAn application event', undefined, Date.parse('2003-10-12T00:00:00Z'));
    expect(r).toMatchObject({
      format: 'rfc5424',
      facility: 20,
      severity: 5,
      timestamp: Date.parse('2003-10-11T22:14:15.003Z'),
      host: 'mymachine.example.com',
      appName: 'evntslog',
      procId: undefined,
      msgId: 'ID47',
      message: 'An application event',
    });
    expect(r.structuredData).toEqual({ 'exampleSDID@32473': { iut: '3', eventSource: 'App"lication]' }, 'x@1': { a: 'b' } });
    // Far past relative to NOW: clamped and flagged.
    expect(parseSyslog('<165>1 2003-10-11T22:14:15.003Z h app - - - m', { now: NOW })).toMatchObject({ timestamp: NOW, timeClamped: true });
  });

  it('RFC 5424 with nil fields and no message', () => {
    expect(record('<13>1 2026-11-18T00:00:00Z - - - - -')).toMatchObject({ host: undefined, appName: undefined, message: '' });
  });

  it('reads classic stamps in the given zone', () => {
    expect(record('Jul  1 12:00:00 h app: m', 'Europe/Berlin').timestamp).toBe(Date.parse('2026-07-01T10:00:00Z'));
  });

  it.each([
    ['', /no syslog time stamp/],
    ['<999>Oct 11 22:14:15 h a: m', /out of range/],
    ['<ab>Oct 11 22:14:15 h a: m', /malformed <PRI>/],
    ['Oct 11 22:14:15', /truncated/],
    ['<13>1 2026-11-18T00:00:00Z h a p m [broken', /malformed SD-ELEMENT|unterminated/],
    ['<13>1 not-a-time h a p m - x', /invalid TIMESTAMP/],
    ['x'.repeat(70_000), /not parsed/],
  ])('reports %j', (line, message) => {
    const r = parseSyslog(line, { now: NOW });
    expect(typeof r).toBe('string');
    expect(r).toMatch(message);
  });

  it('detects syslog lines', () => {
    expect(detectSyslog('Nov 18 09:00:01 h a: m')).toBe(true);
    expect(detectSyslog('<13>1 2026-11-18T00:00:00Z h a - - - m')).toBe(true);
    expect(detectSyslog('{"a":1}')).toBe(false);
  });
});

describe('syslogParser (dispatch by program)', () => {
  it('sends sshd messages to the sshd parser', () => {
    const out = syslogParser.parse('<38>Nov 18 09:16:05 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2', ctx);
    expect(out.event).toMatchObject({ kind: 'login.failure', sourceIp: '192.0.2.1', labels: { program: 'sshd', host: 'h' } });
  });

  it('skips programs without an inner parser and reports bad envelopes', () => {
    expect(syslogParser.parse('Nov 18 09:16:05 h cron[1]: x', ctx)).toEqual({ skipped: true });
    expect(syslogParser.parse('garbage', ctx).error).toBeDefined();
    expect(syslogParser.parse('Nov 18 09:16:05 h sshd[1]: x', { ...ctx, timeZone: 'Nope/Nope' }).error).toMatch(/unknown time zone/);
  });

  it('accepts custom inner parsers', () => {
    const parser = createSyslogParser('custom', (program) =>
      program === 'app' ? (message, meta) => ({ error: `${meta.program}:${meta.pid}:${message}` }) : undefined,
    );
    expect(parser.parse('Nov 18 09:16:05 h app[9]: hi', ctx)).toEqual({ error: 'app:9:hi' });
  });
});
