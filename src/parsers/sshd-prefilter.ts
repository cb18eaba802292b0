import { classicEnvelope, ENVELOPE_OTHER_PROGRAM, ENVELOPE_UNKNOWN } from './syslog-prefilter.js';
import { isSshdProgramBytes, MAX_SSHD_MESSAGE_CHARS } from './sshd.js';

/**
 * The sshd parser's byte-level shortcut for `vigil replay` (LineParser.skipsBytes):
 * true only for lines parse() skips, decided before decoding them —
 *
 *  - classic syslog lines of other programs (see syslog-prefilter.ts), and
 *  - the sshd messages an auth.log is mostly made of that carry no signal:
 *    PAM session and account lines (`pam_unix(sshd:session): session opened …`,
 *    anything `pam_…` without `(sshd:auth): authentication failure;`) and
 *    disconnects after authentication (`Disconnected from user alice 10.0.0.1
 *    port 50000`, `Connection closed by …` / `Connection reset by …` without
 *    ` [preauth]`), mirroring parseSshdMessage's checks for them.
 *
 * Anything else — and any message these rules do not mirror exactly (a
 * trailing space, tab or CR, which the parser trims; a `kernel:` prefix;
 * Solaris' `[ID …]`) — answers false and goes through parse().
 * sshd-prefilter.test.ts checks over generated lines that true is never said
 * of a line parse() does not skip.
 */
export function sshdSkipsBytes(b: Uint8Array, start: number, end: number, timeZone: string | undefined): boolean {
  const m = classicEnvelope(b, start, end, timeZone, isSshdProgramBytes);
  if (m === ENVELOPE_OTHER_PROGRAM) return true;
  if (m === ENVELOPE_UNKNOWN || m >= end) return false;
  if (end - m > MAX_SSHD_MESSAGE_CHARS) return false;
  const last = b[end - 1];
  if (last === 32 || last === 13 || last === 9) return false;
  let i = m;
  if (at(b, i, end, 'error: ') || at(b, i, end, 'fatal: ')) i += 7;
  switch (b[i]) {
    case 112 /* p */:
      return at(b, i, end, 'pam_') && !contains(b, m, end, AUTH_FAILURE);
    case 68 /* D */:
      return at(b, i, end, 'Disconnected from ') && !preauth(b, m, end);
    case 67 /* C */:
      return (at(b, i, end, 'Connection closed by ') || at(b, i, end, 'Connection reset by ')) && !preauth(b, m, end);
    default:
      return false;
  }
}

/** What pamModule looks for: a PAM authentication failure. */
const AUTH_FAILURE = Array.from('(sshd:auth): authentication failure;', (c) => c.charCodeAt(0));
const PREAUTH = ' [preauth]';

/** Do the bytes at `i` spell `ascii`? */
function at(b: Uint8Array, i: number, end: number, ascii: string): boolean {
  if (i + ascii.length > end) return false;
  for (let k = 0; k < ascii.length; k++) if (b[i + k] !== ascii.charCodeAt(k)) return false;
  return true;
}

/** Does the message end with ` [preauth]`? */
function preauth(b: Uint8Array, m: number, end: number): boolean {
  return end - m >= PREAUTH.length && at(b, end - PREAUTH.length, end, PREAUTH);
}

/** Is `pattern` (ASCII) anywhere in [from, end)? */
function contains(b: Uint8Array, from: number, end: number, pattern: readonly number[]): boolean {
  const first = pattern[0];
  const last = end - pattern.length;
  outer: for (let i = from; i <= last; i++) {
    if (b[i] !== first) continue;
    for (let k = 1; k < pattern.length; k++) if (b[i + k] !== pattern[k]) continue outer;
    return true;
  }
  return false;
}
