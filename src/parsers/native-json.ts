import type { HttpInfo, SecurityEvent } from '../core/event.js';
import { canonicalIp } from '../core/ip.js';
import { parseTimestamp } from '../core/time.js';
import type { LineParser, ParseContext, ParseOutcome } from './parser.js';

/**
 * Vigil's native event JSON, in three shapes:
 *  - login events: {eventType: LOGIN_FAILURE|LOGIN_SUCCESS, timestamp, sourceIp,
 *    username, reason, userAgent, sessionId, userId, durationMs}
 *  - security violations: {eventType: XSS_ATTACK|CSRF_VIOLATION|SQL_INJECTION|
 *    CORS_VIOLATION|RATE_LIMIT_VIOLATION|<any other>, clientIp, eventData, timestamp}
 *  - normalised events: {kind, timestamp, sourceIp, …} (the SecurityEvent shape)
 */

export const LOGIN_EVENT_TYPES = ['LOGIN_FAILURE', 'LOGIN_SUCCESS'] as const;
export const VIOLATION_EVENT_TYPES = [
  'XSS_ATTACK',
  'CSRF_VIOLATION',
  'SQL_INJECTION',
  'CORS_VIOLATION',
  'RATE_LIMIT_VIOLATION',
] as const;
export const LOGIN_FAILURE_REASONS = ['INVALID_PASSWORD', 'ACCOUNT_DISABLED', 'ACCOUNT_LOCKED', 'SYSTEM_ERROR'] as const;

/** Longest text field kept (user names, agents, …); longer values are rejected, not truncated. */
const MAX_FIELD_CHARS = 1024;
/** Violation payloads and HTTP bodies are truncated to this many characters. */
const MAX_PAYLOAD_CHARS = 16 * 1024;
const EMPTY_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export interface NativeContext extends ParseContext {
  /** Address to use when the record has none (the HTTP client's address). */
  fallbackIp?: string;
}

class RecordError extends Error {}

function fail(message: string): never {
  throw new RecordError(message);
}

function optionalText(record: Record<string, unknown>, field: string): string | undefined {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(`${field}: expected a string, got ${describe(value)}`);
  if (value.length > MAX_FIELD_CHARS) fail(`${field}: longer than ${MAX_FIELD_CHARS} characters`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function address(record: Record<string, unknown>, fields: readonly string[], ctx: NativeContext): string {
  for (const field of fields) {
    const value = record[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') fail(`${field}: expected an IP address string, got ${describe(value)}`);
    const ip = canonicalIp(value);
    if (ip === undefined) fail(`${field}: expected an IPv4 or IPv6 address, got ${describe(value)}`);
    return ip;
  }
  if (ctx.fallbackIp !== undefined) return ctx.fallbackIp;
  return fail(`${fields[0]}: required (the client's IP address)`);
}

function eventTime(record: Record<string, unknown>, ctx: ParseContext): number {
  const value = record.timestamp;
  if (value === undefined || value === null) return ctx.now();
  const ms = parseTimestamp(value);
  if (Number.isNaN(ms)) fail(`timestamp: expected epoch milliseconds or an ISO-8601 date-time, got ${describe(value)}`);
  return ms;
}

function payload(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_PAYLOAD_CHARS ? text.slice(0, MAX_PAYLOAD_CHARS) : text;
}

function httpInfo(value: unknown): HttpInfo | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) fail(`http: expected an object, got ${describe(value)}`);
  const record = value as Record<string, unknown>;
  const http: HttpInfo = {};
  const method = optionalText(record, 'method');
  if (method !== undefined) http.method = method.toUpperCase();
  if (record.path !== undefined) {
    if (typeof record.path !== 'string') fail(`http.path: expected a string, got ${describe(record.path)}`);
    http.path = record.path.length > MAX_PAYLOAD_CHARS ? record.path.slice(0, MAX_PAYLOAD_CHARS) : record.path;
  }
  if (record.query !== undefined) {
    if (typeof record.query !== 'string') fail(`http.query: expected a string, got ${describe(record.query)}`);
    http.query = record.query.length > MAX_PAYLOAD_CHARS ? record.query.slice(0, MAX_PAYLOAD_CHARS) : record.query;
  }
  if (record.status !== undefined) {
    if (!Number.isInteger(record.status)) fail(`http.status: expected an integer, got ${describe(record.status)}`);
    http.status = record.status as number;
  }
  if (record.body !== undefined) http.body = payload(record.body);
  if (record.headers !== undefined) {
    const headers = record.headers;
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      fail(`http.headers: expected an object of strings, got ${describe(headers)}`);
    }
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(headers as Record<string, unknown>)) {
      if (typeof v !== 'string') fail(`http.headers.${name}: expected a string, got ${describe(v)}`);
      out[name.toLowerCase()] = v.length > MAX_PAYLOAD_CHARS ? v.slice(0, MAX_PAYLOAD_CHARS) : v;
    }
    http.headers = out;
  }
  return http;
}

/** Turn one decoded JSON value into an event, or say precisely what is wrong with it. */
export function normalizeNative(value: unknown, ctx: NativeContext): ParseOutcome {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: `expected a JSON object, got ${describe(value)}` };
  }
  const record = value as Record<string, unknown>;
  try {
    return { event: toEvent(record, ctx) };
  } catch (err) {
    if (err instanceof RecordError) return { error: err.message };
    throw err;
  }
}

function toEvent(record: Record<string, unknown>, ctx: NativeContext): SecurityEvent {
  const eventType = record.eventType;
  const labels = ctx.labels ?? EMPTY_LABELS;
  if (eventType !== undefined) {
    if (typeof eventType !== 'string' || eventType.length === 0 || eventType.length > 64) {
      fail(`eventType: expected a non-empty string, got ${describe(eventType)}`);
    }
    if (eventType === 'LOGIN_FAILURE' || eventType === 'LOGIN_SUCCESS') {
      const event: SecurityEvent = {
        id: ctx.ids.next(),
        timestamp: eventTime(record, ctx),
        kind: eventType === 'LOGIN_FAILURE' ? 'login.failure' : 'login.success',
        sourceIp: address(record, ['sourceIp', 'clientIp'], ctx),
        username: optionalText(record, 'username'),
        userId: optionalText(record, 'userId'),
        userAgent: optionalText(record, 'userAgent'),
        reason: optionalText(record, 'reason'),
        sessionId: optionalText(record, 'sessionId'),
        durationMs: duration(record.durationMs),
        labels,
      };
      return event;
    }
    return {
      id: ctx.ids.next(),
      timestamp: eventTime(record, ctx),
      kind: 'waf.violation',
      violationType: eventType,
      sourceIp: address(record, ['clientIp', 'sourceIp'], ctx),
      username: optionalText(record, 'username'),
      userAgent: optionalText(record, 'userAgent'),
      eventData: payload(record.eventData),
      http: httpInfo(record.http),
      labels,
    };
  }
  const kind = record.kind;
  if (kind === undefined) fail('eventType or kind: required');
  if (typeof kind !== 'string' || kind.length === 0 || kind.length > 64) {
    fail(`kind: expected a non-empty string, got ${describe(kind)}`);
  }
  return {
    id: ctx.ids.next(),
    timestamp: eventTime(record, ctx),
    kind,
    sourceIp: address(record, ['sourceIp', 'clientIp'], ctx),
    username: optionalText(record, 'username'),
    userId: optionalText(record, 'userId'),
    userAgent: optionalText(record, 'userAgent'),
    reason: optionalText(record, 'reason'),
    sessionId: optionalText(record, 'sessionId'),
    violationType: optionalText(record, 'violationType'),
    eventData: payload(record.eventData),
    command: payload(record.command),
    destinationPort: port(record.destinationPort),
    http: httpInfo(record.http),
    labels,
    durationMs: duration(record.durationMs),
  };
}

/** A login's duration in milliseconds: a finite number ≥ 0 (optional). */
function duration(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(`durationMs: expected a number of milliseconds ≥ 0, got ${describe(value)}`);
  }
  return value;
}

function port(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65535) {
    fail(`destinationPort: expected an integer 0–65535, got ${describe(value)}`);
  }
  return value as number;
}

export const nativeJsonParser: LineParser = {
  name: 'native',
  detect(line: string): boolean {
    const trimmed = line.trimStart();
    return trimmed.startsWith('{') && (trimmed.includes('"eventType"') || trimmed.includes('"kind"'));
  },
  parse(line: string, ctx: ParseContext): ParseOutcome {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      return { error: `invalid JSON: ${(err as Error).message}` };
    }
    return normalizeNative(value, ctx);
  },
};
