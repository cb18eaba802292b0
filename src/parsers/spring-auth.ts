import type { SecurityEvent } from '../core/event.js';
import { canonicalIp } from '../core/ip.js';
import type { LineParser, ParseContext, ParseOutcome } from './parser.js';
import { SKIPPED } from './parser.js';
import { DEFAULT_TIME_ZONE, InvalidTimeZoneError, parseIsoTime } from './syslog-time.js';

/**
 * Spring Security authentication events as Spring Boot's default console /
 * file layout writes them (Spring Security's `LoggerListener`):
 *
 *   Boot 2.x:  `2024-05-01 12:00:00.123  WARN 1234 --- [nio-8080-exec-1] o.s.s.a.event.LoggerListener : <msg>`
 *   Boot 3.0/3.1: `2024-05-01T12:00:00.123+02:00  WARN 1234 --- [nio-8080-exec-1] o.s.s.a.e.LoggerListener : <msg>`
 *   Boot 3.2+: `2024-05-01T12:00:00.123+02:00  WARN 1234 --- [app] [nio-8080-exec-1] o.s.s.a.e.LoggerListener : <msg>`
 *
 * with `<msg>` = `Authentication event <EventClass>: <name>; details: <details>[; exception: <message>]`
 * (LoggerListener appends the exception for AbstractAuthenticationFailureEvent).
 * `<details>` is usually WebAuthenticationDetails: `WebAuthenticationDetails
 * [RemoteIpAddress=1.2.3.4, SessionId=…]` (Spring Security 5+) or
 * `…WebAuthenticationDetails@…: RemoteIpAddress: 1.2.3.4; SessionId: …` (4.x).
 * Time stamps without offset (Boot 2) are read in `ctx.timeZone`.
 *
 * Other lines in the Spring Boot layout are skipped; lines not in it are errors.
 */

/** Failure event class -> reason (the AbstractAuthenticationFailureEvent subclasses of Spring Security). */
export const SPRING_FAILURE_REASONS: Readonly<Record<string, string>> = {
  AuthenticationFailureBadCredentialsEvent: 'INVALID_PASSWORD',
  AuthenticationFailureLockedEvent: 'ACCOUNT_LOCKED',
  AuthenticationFailureDisabledEvent: 'ACCOUNT_DISABLED',
  AuthenticationFailureExpiredEvent: 'ACCOUNT_EXPIRED',
  AuthenticationFailureCredentialsExpiredEvent: 'CREDENTIALS_EXPIRED',
  AuthenticationFailureServiceExceptionEvent: 'SYSTEM_ERROR',
  AuthenticationFailureProviderNotFoundEvent: 'PROVIDER_NOT_FOUND',
  AuthenticationFailureProxyUntrustedEvent: 'PROXY_UNTRUSTED',
};

export const MAX_SPRING_LINE_CHARS = 16 * 1024;

/** `AuthenticationFailureFooBarEvent` -> `FOO_BAR` for failure events this parser has no entry for. */
function reasonOf(eventClass: string): string {
  const known = SPRING_FAILURE_REASONS[eventClass];
  if (known !== undefined) return known;
  const core = eventClass.replace(/^AuthenticationFailure/, '').replace(/Event$/, '');
  return core.length === 0 ? 'AUTHENTICATION_FAILURE' : core.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '_').toUpperCase();
}

/** Value of `Key=value` or `Key: value` in a details text, up to `,` `;` `]` or space. */
function detail(details: string, key: string): string | undefined {
  let at = details.indexOf(key + '=');
  if (at < 0) at = details.indexOf(key + ': ');
  if (at < 0) return undefined;
  let i = at + key.length + 1;
  if (details.charCodeAt(i) === 32) i++;
  let end = i;
  while (end < details.length) {
    const c = details.charCodeAt(end);
    if (c === 44 || c === 59 || c === 93 || c === 32) break;
    end++;
  }
  const value = details.slice(i, end);
  return value.length === 0 || value === 'null' ? undefined : value;
}

interface Layout {
  timestamp: number;
  level: string;
  pid: string;
  app?: string;
  thread: string;
  logger: string;
  message: string;
}

function layout(line: string, timeZone: string): Layout | string {
  const dashes = line.indexOf(' --- ');
  if (dashes < 0 || dashes > 80) return 'not a Spring Boot log line: expected "<time> <LEVEL> <pid> --- [thread] logger : message"';
  // Boot 2 writes "yyyy-MM-dd HH:mm:ss.SSS" (a space inside the stamp).
  const timeEnd = line.charCodeAt(10) === 32 ? line.indexOf(' ', 11) : line.indexOf(' ');
  if (timeEnd < 0 || timeEnd > dashes) return 'not a Spring Boot log line: no time stamp';
  const timestamp = parseIsoTime(line.slice(0, timeEnd), timeZone);
  if (Number.isNaN(timestamp)) return `invalid time stamp "${line.slice(0, Math.min(timeEnd, 40))}"`;
  const head = line.slice(timeEnd, dashes).trim().split(/ +/);
  if (head.length !== 2) return 'not a Spring Boot log line: expected "<LEVEL> <pid>" before "---"';
  const groups: string[] = [];
  let i = dashes + 5;
  while (line.charCodeAt(i) === 91 /* [ */ && groups.length < 4) {
    const close = line.indexOf(']', i);
    if (close < 0) return 'truncated Spring Boot log line: unclosed "["';
    groups.push(line.slice(i + 1, close).trim());
    i = close + 1;
    while (line.charCodeAt(i) === 32) i++;
  }
  if (groups.length === 0) return 'not a Spring Boot log line: expected "[thread]" after "---"';
  const colon = line.indexOf(' : ', i);
  if (colon < 0) return 'truncated Spring Boot log line: no " : " before the message';
  return {
    timestamp,
    level: head[0] ?? '',
    pid: head[1] ?? '',
    app: groups.length >= 2 ? groups[0] : undefined,
    thread: groups[groups.length >= 2 ? 1 : 0] ?? '',
    logger: line.slice(i, colon).trim(),
    message: line.slice(colon + 3),
  };
}

/** [spring] Spring Security LoggerListener lines in the Spring Boot default layout. */
export const springAuthParser: LineParser = {
  name: 'spring',
  detect(line: string): boolean {
    return line.indexOf(' --- [') > 0 && line.charCodeAt(4) === 45 && line.charCodeAt(7) === 45;
  },
  parse(line: string, ctx: ParseContext): ParseOutcome {
    if (line.length === 0) return { error: 'spring: empty line' };
    if (line.length > MAX_SPRING_LINE_CHARS) {
      return { error: `spring: line is ${line.length} characters long (limit ${MAX_SPRING_LINE_CHARS})` };
    }
    let parsed: Layout | string;
    try {
      parsed = layout(line, ctx.timeZone ?? DEFAULT_TIME_ZONE);
    } catch (err) {
      if (err instanceof InvalidTimeZoneError) return { error: err.message };
      throw err;
    }
    if (typeof parsed === 'string') return { error: `spring: ${parsed}` };
    const message = parsed.message;
    if (!message.startsWith('Authentication event ')) return SKIPPED;
    const classEnd = message.indexOf(': ', 21);
    if (classEnd < 0) return { error: 'spring: truncated authentication event (no ": " after the event class)' };
    const eventClass = message.slice(21, classEnd);
    const failure = eventClass.startsWith('AuthenticationFailure');
    const success = eventClass === 'AuthenticationSuccessEvent' || eventClass === 'InteractiveAuthenticationSuccessEvent';
    if (!failure && !success) return SKIPPED; // switch-user, session fixation, …
    // From the right: the user name is the client's text and may contain anything.
    let detailsEnd = message.length;
    if (failure) {
      const exception = message.lastIndexOf('; exception: ');
      if (exception > classEnd) detailsEnd = exception;
    }
    const detailsAt = message.lastIndexOf('; details: ', detailsEnd);
    if (detailsAt < classEnd) return { error: 'spring: truncated authentication event (no "; details: ")' };
    const details = message.slice(detailsAt + 11, detailsEnd);
    const rawIp = detail(details, 'RemoteIpAddress');
    if (rawIp === undefined) {
      return { error: 'spring: no RemoteIpAddress in the event details (needs WebAuthenticationDetails)' };
    }
    const sourceIp = canonicalIp(rawIp);
    if (sourceIp === undefined) return { error: `spring: RemoteIpAddress "${rawIp.slice(0, 64)}" is not an IP address` };
    const labels: Record<string, string> = ctx.labels === undefined ? {} : { ...ctx.labels };
    labels.parser = 'spring';
    labels.level = parsed.level;
    labels.pid = parsed.pid;
    labels.thread = parsed.thread;
    labels.logger = parsed.logger;
    labels.springEvent = eventClass;
    if (parsed.app !== undefined) labels.app = parsed.app;
    // Spring publishes InteractiveAuthenticationSuccessEvent right after the
    // AuthenticationSuccessEvent of the same form login: count only the latter.
    if (eventClass === 'InteractiveAuthenticationSuccessEvent') labels.companion = 'true';
    const event: SecurityEvent = {
      id: ctx.ids.next(),
      timestamp: parsed.timestamp,
      kind: failure ? 'login.failure' : 'login.success',
      sourceIp,
      username: message.slice(classEnd + 2, detailsAt),
      sessionId: detail(details, 'SessionId'),
      labels,
    };
    if (failure) event.reason = reasonOf(eventClass);
    return { event };
  },
};
