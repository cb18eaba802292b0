import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../core/ids.js';
import type { LineParser, ParseOutcome } from './parser.js';
import { sshdSkipsBytes } from './sshd-prefilter.js';
import { sshdParser } from './sshd.js';
import { syslogParser } from './syslog.js';

const NOW = Date.parse('2026-11-20T00:00:00Z');
const ctx = (timeZone?: string) => ({ ids: new IdGenerator('t', 'x'), now: () => NOW, timeZone });
const skips = (line: string) => {
  const b = Buffer.from(line, 'utf8');
  return sshdSkipsBytes(b, 0, b.length, undefined);
};
const ENVELOPE = 'Nov 18 00:00:01 bastion-01 sshd[2113690]: ';
const withoutId = (o: ParseOutcome) => (o.event === undefined ? o : { event: { ...o.event, id: '' } });

describe('sshdSkipsBytes', () => {
  it('skips other programs and sshd messages without signal', () => {
    expect(skips('Nov 18 00:00:02 bastion-01 CRON[1]: pam_unix(cron:session): session opened for user root')).toBe(true);
    for (const message of [
      'pam_unix(sshd:session): session opened for user jenkins(uid=1103) by (uid=0)',
      'pam_unix(sshd:session): session closed for user jenkins',
      'pam_unix(sshd:auth): check pass; user unknown',
      'Disconnected from user jenkins 10.1.98.57 port 15479',
      'Connection closed by 10.0.0.1 port 22',
      'error: Connection reset by 10.0.0.1 port 22',
    ]) {
      expect(skips(ENVELOPE + message), message).toBe(true);
      expect(sshdParser.parse(ENVELOPE + message, ctx()), message).toEqual({ skipped: true });
    }
  });

  it('leaves every message with a signal (or one it does not mirror) to the parser', () => {
    for (const message of [
      'Failed password for root from 1.2.3.4 port 22 ssh2',
      'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root',
      'Disconnected from authenticating user root 1.2.3.4 port 22 [preauth]',
      'Connection closed by invalid user x 1.2.3.4 port 22 [preauth]',
      'Disconnected from user jenkins 10.1.98.57 port 15479 ', // trailing space: the parser trims
      'kernel: [  970.699396] Disconnected from user a 1.2.3.4 port 1',
      '[ID 800047 auth.info] Disconnected from user a 1.2.3.4 port 1',
      'PAM: pam_x',
      'Received disconnect from 1.2.3.4 port 22:11: disconnected by user',
      '',
    ]) {
      expect(skips(ENVELOPE + message), message).toBe(false);
    }
    expect(skips(`${ENVELOPE}pam_unix(sshd:session): ${'x'.repeat(9000)}`)).toBe(false); // too long: an error
  });

  it('never says true of a line the parsers do not skip (generated lines, UTF-8 and invalid bytes)', () => {
    const envelope = fc.constantFrom(
      ENVELOPE, 'Nov 18 00:00:01 h sshd-session[1]: ', 'Nov 18 00:00:01 h sshd: ', 'Nov 18 00:00:01 sshd[1]: ',
      'Nov 18 00:00:01 h [sshd]: ', 'Nov 18 00:00:01 h cron[1]: ', 'Nov 18 00:00:01 h sshd[1]:', 'Feb 30 00:00:01 h sshd[1]: ',
      'Nov 18 00:00:01 h sshd[1]: [ID 1 auth.info] ', 'Nov 18 00:00:01 h\u00e9 sshd[1]: ', '',
      'Nov 23 00:00:01 h sshd[7]: ', 'Nov 8 00:00:01 h sshd-auth[8]:  ', 'Nov  8 00:00:01 sshd-session[9]: ',
    );
    const piece = fc.constantFrom(
      'pam_unix(sshd:session): session opened', 'pam_unix(sshd:auth): ', '(sshd:auth): authentication failure;', 'pam_',
      'Disconnected from ', 'Disconnecting ', 'Connection closed by ', 'Connection reset by ', 'error: ', 'fatal: ', 'kernel:',
      'PAM: ', 'user ', 'invalid user ', '1.2.3.4', ' port 22', ' [preauth]', '[preauth]', ' ', '\t', '\r', ':', 'rhost=1.2.3.4',
      ' user=root', 'Failed password for ', ' from ', '\u00e9', '\ufffd', 'x'.repeat(50),
      'Failed password for root from 1.2.3.4 port 22 ssh2', 'Invalid user x from 1.2.3.4 port 1',
      'Accepted publickey for a from 2001:DB8::1 port 1 ssh2', 'Connection closed by 1.2.3.4 port 2 [preauth]',
    );
    const line = fc.tuple(envelope, fc.array(piece, { maxLength: 8 })).map(([e, parts]) => e + parts.join(''));
    const parsers: LineParser[] = [sshdParser, syslogParser];
    let said = 0;
    let events = 0;
    fc.assert(
      fc.property(line, fc.uint8Array({ maxLength: 4 }), fc.nat(), (text, noise, at) => {
        const encoded = Buffer.from(text, 'utf8');
        const k = at % (encoded.length + 1);
        const b = Buffer.concat([encoded.subarray(0, k), noise.filter((x) => x !== 10), encoded.subarray(k)]);
        const decoded = b.toString('utf8');
        if (decoded.length === 0) return;
        const skipped = sshdSkipsBytes(b, 0, b.length, undefined);
        if (skipped) said++;
        for (const parser of parsers) {
          const parsed = parser.parse(decoded, ctx());
          if (parsed.event !== undefined) events++;
          if (skipped) expect(parsed, `${parser.name}: ${JSON.stringify(decoded)}`).toEqual({ skipped: true });
          // The byte path (envelope cut at byte offsets) answers exactly as parse, event ids aside.
          expect(withoutId(parser.parseBytes!(b, 0, b.length, ctx())), `${parser.name}: ${JSON.stringify(decoded)}`).toEqual(withoutId(parsed));
        }
      }),
      { numRuns: 20_000 },
    );
    // The property is not vacuous: many generated lines were skipped on their bytes, many were events.
    expect(said).toBeGreaterThan(1000);
    expect(events).toBeGreaterThan(300);
  });
});
