import type { EventKind, SecurityEvent } from '../core/event.js';
import { canonicalIp } from '../core/ip.js';
import type { LineParser, ParseContext, ParseOutcome } from './parser.js';
import { SKIPPED } from './parser.js';
import type { MessageMeta, ProgramFilter } from './syslog.js';
import { detectSyslog, OTHER_PROGRAM, readSyslogMessage, syslogLabels } from './syslog.js';
import { InvalidTimeZoneError } from './syslog-time.js';
import { parseSshdBytes } from './sshd-prefilter.js';

/**
 * OpenSSH server log lines (auth.log / secure / journald), in any syslog
 * envelope `parseSyslog` reads: classic `Mmm dd HH:MM:SS host sshd[pid]: …`,
 * RFC 3339 prefixed (rsyslog, journalctl -o short-iso) and RFC 5424.
 *
 * Counting rule (no double counting): OpenSSH writes exactly one
 * `Failed <method> for …` line per failed authentication attempt (auth2.c,
 * auth_log) and one `Accepted …` line per success. Those are the attempts.
 * Everything else it writes about a failing client — `Invalid user`, the PAM
 * module's `pam_unix(sshd:auth): authentication failure`, sshd's own
 * `error: PAM: Authentication failure …`, `maximum authentication attempts
 * exceeded`, pre-auth disconnects, `Did not receive identification string`,
 * negotiation failures, AllowUsers/DenyUsers refusals — describes the same
 * connection or attempt once more. Those lines still become `login.failure`
 * events (they carry the address, and some, like pre-auth disconnects of
 * scanners, are the only trace a client leaves) but with the label
 * `companion: 'true'`: detectors that count attempts must skip companion
 * events; detectors that look for presence (port scans, pre-auth floods) may
 * use them. `Failed publickey` for an existing account is a companion too:
 * clients offer their keys one after another, so a failed key is routine.
 *
 * The parser is stateless (one line in, one outcome out); lines that carry no
 * address (`Disconnecting: Too many authentication failures for root`,
 * `error: kex_exchange_identification: …`) or no security meaning (sessions,
 * `Server listening`, normal logouts) are skipped.
 *
 * Lines are matched with startsWith / indexOf only: no regular expression runs
 * over a line, so hostile user names cannot slow the parser down, and user
 * names that contain ` from 1.2.3.4 port 1 ssh2` cannot choose the address.
 */

/** Program names OpenSSH logs under (9.8 split the per-connection process into sshd-session, 10.0 added sshd-auth). */
export function isSshdProgram(program: string): boolean {
  return program === 'sshd' || program === 'sshd-session' || program === 'sshd-auth';
}

/** isSshdProgram(text.slice(start, end)) without cutting the name out. */
export function isSshdProgramAt(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length !== 4 && length !== 9 && length !== 12) return false;
  if (!text.startsWith('sshd', start)) return false;
  return length === 4 || text.startsWith(length === 12 ? '-session' : '-auth', start + 4);
}

/** isSshdProgram of the UTF-8 bytes [start, end). */
export function isSshdProgramBytes(b: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  if (length !== 4 && length !== 9 && length !== 12) return false;
  if (b[start] !== 115 || b[start + 1] !== 115 || b[start + 2] !== 104 || b[start + 3] !== 100) return false; // sshd
  if (length === 4) return true;
  const rest = length === 12 ? '-session' : '-auth';
  for (let k = 0; k < rest.length; k++) if (b[start + 4 + k] !== rest.charCodeAt(k)) return false;
  return true;
}

/** The envelope programs whose messages this parser reads. */
const SSHD_PROGRAMS: ProgramFilter = { at: isSshdProgramAt, name: isSshdProgram, early5424: true };

/** OpenSSH truncates its own lines far below this; longer messages are hostile or corrupt. */
export const MAX_SSHD_MESSAGE_CHARS = 8192;

const NOT_AN_ADDRESS =
  'is not an IP address (sshd logs host names when UseDNS is on; set "UseDNS no" so that addresses are logged)';

/** Mutable parse state for one message; created per call, never shared. */
interface Scan {
  message: string;
  meta: MessageMeta;
  ctx: ParseContext;
}

function outcome(
  scan: Scan,
  kind: EventKind,
  address: string,
  username: string | undefined,
  reason: string | undefined,
  companion: boolean,
  method?: string,
): ParseOutcome {
  const ip = canonicalIp(address);
  if (ip === undefined) {
    return { error: `sshd: "${address.length > 64 ? address.slice(0, 64) + '…' : address}" ${NOT_AN_ADDRESS}` };
  }
  const labels = syslogLabels(scan.meta, 'sshd', scan.ctx);
  if (companion) labels.companion = 'true';
  if (method !== undefined) labels.method = method;
  const event: SecurityEvent = {
    id: scan.ctx.ids.next(),
    timestamp: scan.meta.timestamp,
    kind,
    sourceIp: ip,
    username,
    reason,
    labels,
  };
  return { event };
}

function failure(scan: Scan, address: string, username: string | undefined, reason: string, companion = true): ParseOutcome {
  return outcome(scan, 'login.failure', address, username, reason, companion);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** End of the space-delimited token at `i`. */
function tokenEnd(text: string, i: number): number {
  const space = text.indexOf(' ', i);
  return space < 0 ? text.length : space;
}

/**
 * Does the text at `i` (just after an address) look like the rest of
 * OpenSSH's `from <addr>` clause: `[ port N][ on X][ sshN]` followed by the end,
 * `: <auth info>`, ` [preauth]` or (PAM on macOS) ` via <host>`?
 */
function validFromTail(text: string, i: number): boolean {
  if (text.startsWith(' port ', i)) {
    i += 6;
    const digits = i;
    while (isDigit(text.charCodeAt(i))) i++;
    if (i === digits) return false;
  }
  if (text.startsWith(' on ', i)) i = tokenEnd(text, i + 4);
  if (text.startsWith(' ssh', i)) {
    i += 4;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  if (i === text.length) return true;
  if (text.charCodeAt(i) === 58 /* : */ && text.charCodeAt(i + 1) === 32) return true;
  return text.startsWith(' [preauth]', i) || text.startsWith(' via ', i);
}

/**
 * Index of the address in the first ` from <addr>` clause at or after
 * `start` whose tail is well-formed, or -1. The first one wins: a user name
 * cannot hold a well-formed clause followed by another one (OpenSSH writes the
 * real clause right after the user name), and auth info after `: ` comes later.
 */
function findFrom(text: string, start: number): number {
  let at = text.indexOf(' from ', start);
  while (at >= 0) {
    const address = at + 6;
    if (validFromTail(text, tokenEnd(text, address))) return address;
    at = text.indexOf(' from ', at + 1);
  }
  return -1;
}

/**
 * `Failed <method> for [invalid user ]<user> from <addr> …` and
 * `Accepted <method> for <user> from <addr> …` (`offset` at the method).
 */
function attempt(scan: Scan, offset: number, accepted: boolean): ParseOutcome {
  const text = scan.message;
  const methodEnd = tokenEnd(text, offset);
  if (!text.startsWith(' for ', methodEnd)) return SKIPPED;
  const method = text.slice(offset, methodEnd);
  let userStart = methodEnd + 5;
  let invalid = false;
  if (text.startsWith('invalid user ', userStart) || text.startsWith('illegal user ', userStart)) {
    invalid = true;
    userStart += 13;
  }
  // Search from the space before the user so that an empty user name (`user  from`) works.
  const address = findFrom(text, userStart - 1);
  if (address < 0) return { error: `sshd: no "from <address>" in "${text.slice(0, 120)}"` };
  let username = address - 6 > userStart ? text.slice(userStart, address - 6) : '';
  if (username === '<invalid username>') {
    invalid = true; // Solaris
    username = '';
  }
  const ip = text.slice(address, tokenEnd(text, address));
  if (accepted) return outcome(scan, 'login.success', ip, username, undefined, false, method);
  const key = method === 'publickey' || method === 'hostbased';
  const reason = invalid ? 'INVALID_USER' : key ? 'INVALID_KEY' : 'INVALID_PASSWORD';
  return outcome(scan, 'login.failure', ip, username, reason, method === 'publickey' && !invalid, method);
}

/**
 * `<prefix>[authenticating user U |invalid user U |user U ]<addr>[ port N][ [preauth]]`,
 * parsed from the end because the user name may contain anything.
 * Only the pre-auth form is a signal; after authentication it is a logout.
 */
function closed(scan: Scan, prefixLength: number): ParseOutcome {
  const text = scan.message;
  let end = text.length;
  const preauth = text.endsWith(' [preauth]');
  if (!preauth) return SKIPPED;
  end -= 10;
  let space = text.lastIndexOf(' ', end - 1);
  if (space >= prefixLength && isDigit(text.charCodeAt(space + 1)) && text.startsWith(' port ', space - 5)) {
    end = space - 5;
    space = text.lastIndexOf(' ', end - 1);
  }
  const addressStart = space < prefixLength - 1 ? prefixLength : space + 1;
  if (addressStart >= end) return { error: 'sshd: truncated disconnect line (no address)' };
  const ip = text.slice(addressStart, end);
  let username: string | undefined;
  if (addressStart > prefixLength) {
    const who = text.slice(prefixLength, addressStart - 1);
    const userAt = who.indexOf('user ');
    username = userAt >= 0 ? who.slice(userAt + 5) : who;
  }
  return failure(scan, ip, username, 'PREAUTH_DISCONNECT');
}

/** `Received disconnect from <addr>[ port N]:[ ]<code>: <text>[ [preauth]]` */
function receivedDisconnect(scan: Scan, offset: number): ParseOutcome {
  const text = scan.message;
  const space = tokenEnd(text, offset);
  const colon = text.indexOf(': ', offset);
  const addressEnd = colon >= 0 && colon < space ? colon : space;
  const ip = text.slice(offset, addressEnd);
  let i = addressEnd;
  if (text.startsWith(' port ', i)) {
    i += 6;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  if (text.charCodeAt(i) !== 58) return SKIPPED;
  i++;
  if (text.charCodeAt(i) === 32) i++;
  let code = 0;
  while (isDigit(text.charCodeAt(i))) code = code * 10 + (text.charCodeAt(i++) - 48);
  const preauth = text.endsWith('[preauth]');
  if (code === 14) return failure(scan, ip, undefined, 'NO_AUTH_METHODS');
  if (text.endsWith('Auth fail') || text.endsWith('Auth fail [preauth]')) return failure(scan, ip, undefined, 'AUTH_FAIL');
  return preauth ? failure(scan, ip, undefined, 'PREAUTH_DISCONNECT') : SKIPPED;
}

/** `Disconnecting (authenticating|invalid) user U <addr> port N: <why> [preauth]` */
function disconnecting(scan: Scan, offset: number): ParseOutcome {
  const text = scan.message;
  let userStart: number;
  if (text.startsWith('authenticating user ', offset)) userStart = offset + 20;
  else if (text.startsWith('invalid user ', offset)) userStart = offset + 13;
  else return SKIPPED; // `Disconnecting: Too many authentication failures for root` names no address
  let at = text.indexOf(' port ', userStart);
  while (at >= 0) {
    let i = at + 6;
    while (isDigit(text.charCodeAt(i))) i++;
    if (i > at + 6 && text.charCodeAt(i) === 58) {
      const space = text.lastIndexOf(' ', at - 1);
      if (space < userStart - 1) break;
      const ip = text.slice(space + 1, at);
      const username = space > userStart ? text.slice(userStart, space) : '';
      const why = text.slice(i + 1);
      const reason = why.includes('Too many authentication failures')
        ? 'MAX_AUTH_TRIES'
        : why.includes('Change of username')
          ? 'USER_CHANGE'
          : 'PREAUTH_DISCONNECT';
      return failure(scan, ip, username, reason);
    }
    at = text.indexOf(' port ', at + 1);
  }
  return SKIPPED;
}

/** `… for [invalid user |illegal user ]U from <addr>…` shared by PAM and MaxAuthTries lines. */
function forUserFrom(scan: Scan, userStart: number, reason: string): ParseOutcome {
  const text = scan.message;
  if (text.startsWith('invalid user ', userStart) || text.startsWith('illegal user ', userStart)) userStart += 13;
  const address = findFrom(text, userStart - 1);
  if (address < 0) return { error: `sshd: no "from <address>" in "${text.slice(0, 120)}"` };
  const username = address - 6 > userStart ? text.slice(userStart, address - 6) : '';
  return failure(scan, text.slice(address, tokenEnd(text, address)), username, reason);
}

/** The address token at `offset` (up to a space or end). */
function addressAt(text: string, offset: number): string {
  return text.slice(offset, tokenEnd(text, offset));
}

/** `error: PAM: …` (sshd's own PAM messages; `offset` after the prefix). */
function pamError(scan: Scan, offset: number): ParseOutcome {
  const text = scan.message;
  // "Authentication failure for", "authentication error for", …
  for (const phrase of ['uthentication failure for ', 'uthentication error for ']) {
    if (text.startsWith(phrase, offset + 1)) return forUserFrom(scan, offset + 1 + phrase.length, 'PAM_FAILURE');
  }
  const unknown = 'User not known to the underlying authentication module for ';
  if (text.startsWith(unknown, offset)) return forUserFrom(scan, offset + unknown.length, 'INVALID_USER');
  return SKIPPED;
}

/** `pam_<module>(sshd:auth): authentication failure; logname= uid=0 … rhost=<addr>  user=<user>` */
function pamModule(scan: Scan, offset: number): ParseOutcome {
  const text = scan.message;
  const open = text.indexOf('(sshd:auth): authentication failure;', offset);
  if (open < 0 || open > offset + 32) return SKIPPED; // sessions, `check pass; user unknown`, …
  const rhost = text.indexOf(' rhost=', open);
  if (rhost < 0) return SKIPPED;
  const ip = addressAt(text, rhost + 7);
  if (ip === '') return SKIPPED; // local (console) authentication
  const user = text.indexOf(' user=', rhost + 7);
  const username = user < 0 ? undefined : addressAt(text, user + 6);
  return failure(scan, ip, username, 'PAM_FAILURE');
}

function stripKernelPrefix(message: string): string {
  let i = 7;
  if (message.charCodeAt(i) === 32) i++;
  if (message.charCodeAt(i) !== 91 /* [ */) return message;
  const close = message.indexOf(']', i);
  if (close < 0 || close - i > 24) return message;
  i = close + 1;
  if (message.charCodeAt(i) === 58 /* : */) i++;
  while (message.charCodeAt(i) === 32) i++;
  return message.slice(i);
}

/**
 * Parse an sshd message (the part after `sshd[pid]: `). Exported for the
 * syslog and journal parsers, which supply the envelope's fields in `meta`.
 */
export function parseSshdMessage(message: string, meta: MessageMeta, ctx: ParseContext): ParseOutcome {
  if (message.length > MAX_SSHD_MESSAGE_CHARS) {
    return { error: `sshd: message is ${message.length} characters long (limit ${MAX_SSHD_MESSAGE_CHARS})` };
  }
  const last = message.charCodeAt(message.length - 1);
  if (last === 32 || last === 13 || last === 9) message = message.trimEnd();
  // The first character guards each prefix test (most messages have none of these prefixes).
  const head = message.charCodeAt(0);
  // A kernel-style time prefix some relays add: `kernel: [  970.699396] ` / `kernel:[12970.699398]: `.
  if (head === 107 /* k */ && message.startsWith('kernel:')) message = stripKernelPrefix(message);
  const scan: Scan = { message, meta, ctx };
  let i = 0;
  if ((head === 101 /* e */ && message.startsWith('error: ')) || (head === 102 /* f */ && message.startsWith('fatal: '))) i = 7;
  if (message.charCodeAt(i) === 80 /* P */ && message.startsWith('PAM: ', i)) return pamError(scan, i + 5);
  switch (message.charCodeAt(i)) {
    case 70 /* F */:
      if (message.startsWith('Failed ', i)) return attempt(scan, i + 7, false);
      break;
    case 65 /* A */:
      if (message.startsWith('Accepted ', i)) return attempt(scan, i + 9, true);
      break;
    case 73 /* I */:
      if (message.startsWith('Invalid user ', i) || message.startsWith('Illegal user ', i)) {
        return forUserFrom(scan, i + 13, 'INVALID_USER');
      }
      break;
    case 105 /* i */:
      if (message.startsWith('illegal user ', i)) return forUserFrom(scan, i + 13, 'INVALID_USER');
      break;
    case 67 /* C */:
      if (message.startsWith('Connection closed by ', i)) return closed(scan, i + 21);
      if (message.startsWith('Connection reset by ', i)) return closed(scan, i + 20);
      break;
    case 68 /* D */:
      if (message.startsWith('Disconnected from ', i)) return closed(scan, i + 18);
      if (message.startsWith('Disconnecting ', i)) return disconnecting(scan, i + 14);
      if (message.startsWith('Did not receive identification string from ', i)) {
        return failure(scan, addressAt(message, i + 43), undefined, 'NO_IDENTIFICATION');
      }
      break;
    case 82 /* R */:
      if (message.startsWith('Received disconnect from ', i)) return receivedDisconnect(scan, i + 25);
      if (message.startsWith('ROOT LOGIN REFUSED FROM ', i)) {
        return failure(scan, addressAt(message, i + 24), 'root', 'ROOT_LOGIN_REFUSED');
      }
      break;
    case 114 /* r */:
      if (message.startsWith('refused connect from ', i)) {
        // TCP wrappers: `refused connect from <name> (<addr>)`
        const open = message.lastIndexOf(' (');
        if (open < 0 || !message.endsWith(')')) return { error: 'sshd: refused connect line without "(address)"' };
        return failure(scan, message.slice(open + 2, message.length - 1), undefined, 'CONNECTION_REFUSED');
      }
      break;
    case 85 /* U */:
      if (message.startsWith('User ', i)) {
        // `User U from <addr> not allowed because <AllowUsers/DenyUsers/groups…>`
        const because = message.indexOf(' not allowed because ', i);
        if (because < 0) break;
        const from = message.lastIndexOf(' from ', because);
        if (from < i + 4) return SKIPPED; // `User root not allowed because account is locked`: no address
        return failure(scan, message.slice(from + 6, because), message.slice(i + 5, from), 'USER_NOT_ALLOWED');
      }
      if (message.startsWith('Unable to negotiate with ', i)) {
        return failure(scan, addressAt(message, i + 25), undefined, 'NEGOTIATION_FAILED');
      }
      if (message.startsWith('User not known to the underlying authentication module for ', i)) {
        return forUserFrom(scan, i + 60, 'INVALID_USER');
      }
      break;
    case 66 /* B */:
      if (message.startsWith('Bad protocol version identification ', i)) {
        // The identification string is the client's; the real `from` is the last one.
        const from = message.lastIndexOf(' from ');
        if (from < 0) return SKIPPED;
        return failure(scan, addressAt(message, from + 6), undefined, 'BAD_PROTOCOL');
      }
      break;
    case 98 /* b */:
      if (message.startsWith('banner exchange: Connection from ', i)) {
        return failure(scan, addressAt(message, i + 33), undefined, 'BAD_BANNER');
      }
      break;
    case 109 /* m */:
      if (message.startsWith('maximum authentication attempts exceeded for ', i)) {
        return forUserFrom(scan, i + 45, 'MAX_AUTH_TRIES');
      }
      break;
    case 112 /* p */:
      if (message.startsWith('pam_', i)) return pamModule(scan, i);
      break;
    default:
      break;
  }
  return SKIPPED;
}

/**
 * [sshd] OpenSSH lines in a syslog envelope. Lines of other programs (cron,
 * sudo, systemd-logind, … share auth.log with sshd) are skipped; a line
 * without a syslog envelope is an error.
 */
export const sshdParser: LineParser = {
  name: 'sshd',
  detect(line: string): boolean {
    return line.indexOf('sshd') > 0 && detectSyslog(line);
  },
  parseBytes(bytes: Buffer, start: number, end: number, ctx: ParseContext): ParseOutcome {
    return parseSshdBytes(bytes, start, end, ctx, parseSshdLine);
  },
  parse: parseSshdLine,
};

function parseSshdLine(line: string, ctx: ParseContext): ParseOutcome {
  if (line.length === 0) return { error: 'sshd: empty line' };
  let message;
  try {
    message = readSyslogMessage(line, ctx.now(), ctx.timeZone, SSHD_PROGRAMS);
  } catch (err) {
    if (err instanceof InvalidTimeZoneError) return { error: err.message };
    throw err;
  }
  if (typeof message === 'string') return { error: `not an sshd log line: ${message}` };
  // Other programs that share auth.log (cron, sudo, systemd-logind, …): not errors.
  if (message === OTHER_PROGRAM) return SKIPPED;
  return parseSshdMessage(message.message, message, ctx);
}
