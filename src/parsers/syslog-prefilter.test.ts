import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../core/ids.js';
import type { LineParser, ParseOutcome } from './parser.js';
import { isSshdProgramBytes, sshdParser } from './sshd.js';
import { otherProgramLine } from './syslog-prefilter.js';
import { syslogParser } from './syslog.js';

const NOW = Date.parse('2026-11-20T00:00:00Z');
const ctx = (timeZone?: string) => ({ ids: new IdGenerator('t', 'x'), now: () => NOW, timeZone });
const bytes = (line: string) => Buffer.from(line, 'utf8');
const withoutId = (o: ParseOutcome) => (o.event === undefined ? o : { event: { ...o.event, id: '' } });
const skips = (line: string, timeZone?: string) => {
  const b = bytes(line);
  return otherProgramLine(b, 0, b.length, timeZone, isSshdProgramBytes);
};

describe('otherProgramLine', () => {
  it('says true for well-formed lines of other programs', () => {
    expect(skips('Nov 18 00:00:02 bastion-01 CRON[1176364]: pam_unix(cron:session): session opened for user root')).toBe(true);
    expect(skips('Nov 18 09:00:01 bastion-01 sudo:    alice : TTY=pts/0 ; COMMAND=/usr/bin/id')).toBe(true);
    expect(skips('Nov  8 09:00:01 h [systemd]: x')).toBe(true);
    expect(skips('Nov 8 09:00:01 h systemd-logind[412]: New session')).toBe(true);
    expect(skips('Feb 29 00:00:01 host cron[1]: a leap day exists in some year')).toBe(true);
    expect(skips('Nov 18 00:00:01 host cron[1]: x', 'Europe/Berlin')).toBe(true);
  });

  it('says false for sshd lines and anything the full parser must look at', () => {
    for (const line of [
      'Nov 18 00:00:01 host sshd[1]: Failed password for root from 1.2.3.4 port 22 ssh2',
      'Nov 18 00:00:01 host sshd-session[1]: x',
      'Nov 18 00:00:01 host sshd-auth[1]: x',
      'Nov 18 00:00:01 host sshd: x',
      'Nov 18 00:00:01 sshd[1]: x',
      'Nov 18 00:00:01 host [sshd]: x',
      '<38>Nov 18 00:00:01 host cron[1]: x', // PRI: not mirrored
      '2026-11-18T00:00:01Z host cron[1]: x', // RFC 3339: not mirrored
      'Feb 30 00:00:01 host cron[1]: x', // no such date: an error
      'Nov 31 00:00:01 host cron[1]: x',
      'Nov 18 24:00:01 host cron[1]: x',
      'Nov 18 00:60:01 host cron[1]: x',
      'Nov 18 00:00:01 host', // truncated: an error
      'Nov 18 00:00:01 host cron[1: x', // unclosed pid: an error
      'Nov 18 00:00:01 host [cron: x',
      'Nov 18 00:00:01 host :x',
      `Nov 18 00:00:01 host cron[1]: ${'a'.repeat(70_000)}`, // too long: an error
    ]) {
      expect(skips(line), line).toBe(false);
    }
    expect(skips('Nov 18 00:00:01 host cron[1]: x', 'Mars/Olympus')).toBe(false); // unknown zone: every line is an error
  });

  it('reads only the bytes it is given', () => {
    const b = bytes('xxNov 18 00:00:02 h cron[1]: a\nNov 18 00:00:02 h sshd[1]: b');
    expect(otherProgramLine(b, 2, 31, undefined, isSshdProgramBytes)).toBe(true);
    expect(otherProgramLine(b, 32, b.length, undefined, isSshdProgramBytes)).toBe(false);
    // Cut inside the tag: the program is "cr", still another program.
    expect(otherProgramLine(b, 2, 24, undefined, isSshdProgramBytes)).toBe(true);
    // Cut inside the stamp.
    expect(otherProgramLine(b, 2, 12, undefined, isSshdProgramBytes)).toBe(false);
  });

  it('never says true of a line the parsers do not skip (generated lines, UTF-8 and invalid bytes)', () => {
    const piece = fc.constantFrom(
      'Nov 18 00:00:01', 'Feb 29 23:59:59', 'Feb 30 00:00:00', 'Nov  8 01:02:03', 'Nov 8 01:02:03', 'Jan 00 00:00:00',
      'Dec 31 23:59:60', 'Apr 31 12:00:00', 'Nov x8 00:00:01', ' ', '  ', 'host', 'h\u00e9st', 'sshd', 'sshd-session',
      'sshd-auth', 'cron', 'CRON', 'sshdx', '[', ']', ':', '[1]', '[12345678901234567890123456]', ': ', 'Failed password',
      '\u00e9', '\u20ac', '\ufffd', '<38>', '1 ', '2026-11-18T00:00:01Z', 'x'.repeat(70),
    );
    const line = fc.array(piece, { minLength: 1, maxLength: 10 }).map((parts) => parts.join(''));
    const raw = fc.uint8Array({ minLength: 0, maxLength: 8 });
    const parsers: LineParser[] = [sshdParser, syslogParser];
    fc.assert(
      fc.property(line, raw, fc.nat(), fc.constantFrom(undefined, 'UTC', 'Europe/Berlin'), (text, noise, at, timeZone) => {
        const encoded = bytes(text);
        // Splice a few arbitrary bytes in somewhere (invalid UTF-8 included).
        const k = at % (encoded.length + 1);
        const b = Buffer.concat([encoded.subarray(0, k), noise.filter((x) => x !== 10), encoded.subarray(k)]);
        const decoded = b.toString('utf8');
        if (decoded.length === 0) return;
        const other = otherProgramLine(b, 0, b.length, timeZone, isSshdProgramBytes);
        for (const parser of parsers) {
          const parsed = parser.parse(decoded, ctx(timeZone));
          if (other) expect(parsed, `${parser.name}: ${JSON.stringify(decoded)}`).toEqual({ skipped: true });
          // And the parsers' byte path answers exactly as parse (event ids aside).
          expect(withoutId(parser.parseBytes!(b, 0, b.length, ctx(timeZone))), JSON.stringify(decoded)).toEqual(withoutId(parsed));
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
