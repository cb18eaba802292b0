import type { ParseContext, ParseOutcome } from './parser.js';
import { SKIPPED } from './parser.js';
import { classicEnvelope, ENVELOPE_OTHER_PROGRAM, ENVELOPE_UNKNOWN, type EnvelopeBytes } from './syslog-prefilter.js';
import { MAX_FUTURE_MS, MAX_PAST_MS, DEFAULT_TIME_ZONE, readClassicTime, type ClassicTime } from './syslog-time.js';
import { isSshdProgramBytes, MAX_SSHD_MESSAGE_CHARS, parseSshdMessage } from './sshd.js';

/**
 * The sshd-reading parsers' byte-level shortcut for `vigil replay` (LineParser.parseBytes):
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
  return m === ENVELOPE_OTHER_PROGRAM || (m !== ENVELOPE_UNKNOWN && withoutSignal(b, m, end));
}

const envelope: EnvelopeBytes = { hostStart: -1, hostEnd: -1, appStart: -1, appEnd: -1, procStart: -1, procEnd: -1, ascii: false };
const stamp: ClassicTime = { length: 0, epoch: 0 };

/**
 * LineParser.parseBytes of the sshd-reading parsers: the skips above without
 * decoding; for the other sshd lines with an ASCII envelope, the envelope's
 * parts are cut at the offsets found on the bytes (no second scan of the
 * line); anything else goes to `parseLine` decoded. The outcome is the one
 * `parseLine` would give (sshd-prefilter.test.ts compares them).
 */
export function parseSshdBytes(
  b: Buffer,
  start: number,
  end: number,
  ctx: ParseContext,
  parseLine: (line: string, ctx: ParseContext) => ParseOutcome,
): ParseOutcome {
  const m = classicEnvelope(b, start, end, ctx.timeZone, isSshdProgramBytes, envelope);
  if (m === ENVELOPE_OTHER_PROGRAM) return SKIPPED;
  if (m !== ENVELOPE_UNKNOWN && withoutSignal(b, m, end)) return SKIPPED;
  const line = b.toString(undefined, start, end);
  if (m === ENVELOPE_UNKNOWN || !envelope.ascii) return parseLine(line, ctx);
  // As readSyslogMessage: the stamp (valid: classicEnvelope checked it), clamped like there.
  const now = ctx.now();
  readClassicTime(line, 0, now, ctx.timeZone ?? DEFAULT_TIME_ZONE, stamp);
  const epoch = stamp.epoch;
  if (Number.isNaN(epoch)) return parseLine(line, ctx);
  const clamped = epoch - now > MAX_FUTURE_MS || now - epoch > MAX_PAST_MS;
  const e = envelope;
  return parseSshdMessage(
    line.slice(m - start),
    {
      timestamp: clamped ? now : epoch,
      timeClamped: clamped,
      host: e.hostStart < 0 ? undefined : line.slice(e.hostStart - start, e.hostEnd - start),
      program: line.slice(e.appStart - start, e.appEnd - start),
      pid: e.procStart < 0 ? undefined : line.slice(e.procStart - start, e.procEnd - start),
    },
    ctx,
  );
}

/** An sshd message (bytes [m, end)) of the kinds described above that parseSshdMessage skips. */
function withoutSignal(b: Uint8Array, m: number, end: number): boolean {
  if (m >= end || end - m > MAX_SSHD_MESSAGE_CHARS) return false;
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
