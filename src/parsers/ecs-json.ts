import type { HttpInfo, SecurityEvent } from '../core/event.js';
import { canonicalIp } from '../core/ip.js';
import { parseTimestamp } from '../core/time.js';
import type { LineParser, ParseContext, ParseOutcome } from './parser.js';
import { SKIPPED } from './parser.js';

/**
 * Elastic Common Schema documents, one JSON object per line. Field names may
 * be dotted (`"event.outcome": "failure"`, as ecs-logging libraries write
 * them), nested (`"event": {"outcome": …}`) or a mix of both.
 *
 *  - `event.category` containing `authentication` → `login.success` /
 *    `login.failure` by `event.outcome` (an authentication record with any
 *    other outcome is skipped);
 *  - otherwise a record with `url.path`, `url.original` or
 *    `http.request.method` → `http.request`;
 *  - anything else is skipped.
 */

export const MAX_ECS_LINE_CHARS = 256 * 1024;
const MAX_TEXT_CHARS = 16 * 1024;

/** Value at a dotted ECS path, whatever mix of dotted keys and nested objects holds it. */
export function ecsField(record: Record<string, unknown>, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(record, path)) return record[path];
  // Try the longest dotted prefix present as a key, then descend.
  let dot = path.lastIndexOf('.');
  while (dot > 0) {
    const head = path.slice(0, dot);
    if (Object.prototype.hasOwnProperty.call(record, head)) {
      const child = record[head];
      if (typeof child === 'object' && child !== null && !Array.isArray(child)) {
        const found = ecsField(child as Record<string, unknown>, path.slice(dot + 1));
        if (found !== undefined) return found;
      }
    }
    dot = path.lastIndexOf('.', dot - 1);
  }
  return undefined;
}

function text(record: Record<string, unknown>, path: string): string | undefined {
  const value = ecsField(record, path);
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > MAX_TEXT_CHARS ? value.slice(0, MAX_TEXT_CHARS) : value;
}

function hasCategory(value: unknown, category: string): boolean {
  if (typeof value === 'string') return value === category;
  return Array.isArray(value) && value.includes(category);
}

/** [ecs] Elastic Common Schema JSON lines. */
export const ecsJsonParser: LineParser = {
  name: 'ecs',
  detect(line: string): boolean {
    return (
      line.charCodeAt(0) === 123 &&
      line.includes('@timestamp') &&
      (line.includes('"ecs.version"') || line.includes('"ecs"') || line.includes('"event.') || line.includes('"event"'))
    );
  },
  parse(line: string, ctx: ParseContext): ParseOutcome {
    if (line.length === 0) return { error: 'ecs: empty line' };
    if (line.length > MAX_ECS_LINE_CHARS) {
      return { error: `ecs: line is ${line.length} characters long (limit ${MAX_ECS_LINE_CHARS})` };
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      return { error: `ecs: invalid JSON (${(err as Error).message})` };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { error: 'ecs: expected one JSON object per line' };
    }
    const record = value as Record<string, unknown>;

    let kind: 'login.success' | 'login.failure' | 'http.request';
    const method = text(record, 'http.request.method');
    const path = text(record, 'url.path');
    const original = text(record, 'url.original');
    if (hasCategory(ecsField(record, 'event.category'), 'authentication')) {
      const outcome = ecsField(record, 'event.outcome');
      if (outcome === 'success') kind = 'login.success';
      else if (outcome === 'failure') kind = 'login.failure';
      else return SKIPPED; // `unknown` or absent: nothing to count
    } else if (method !== undefined || path !== undefined || original !== undefined) {
      kind = 'http.request';
    } else {
      return SKIPPED;
    }

    const rawIp = text(record, 'source.ip') ?? text(record, 'client.ip') ?? text(record, 'source.address');
    if (rawIp === undefined) return { error: 'ecs: source.ip is required (the client address)' };
    const sourceIp = canonicalIp(rawIp);
    if (sourceIp === undefined) return { error: `ecs: source.ip "${rawIp.slice(0, 64)}" is not an IPv4 or IPv6 address` };

    let timestamp = ctx.now();
    const at = ecsField(record, '@timestamp');
    if (at !== undefined && at !== null) {
      timestamp = parseTimestamp(at);
      if (Number.isNaN(timestamp)) return { error: '@timestamp: expected an ISO-8601 date-time or epoch milliseconds' };
    }

    const labels: Record<string, string> = ctx.labels === undefined ? {} : { ...ctx.labels };
    labels.parser = 'ecs';
    const action = text(record, 'event.action');
    if (action !== undefined) labels.action = action;
    const host = text(record, 'host.name') ?? text(record, 'host.hostname');
    if (host !== undefined) labels.host = host;
    const service = text(record, 'service.name');
    if (service !== undefined) labels.service = service;
    const dataset = text(record, 'event.dataset');
    if (dataset !== undefined) labels.dataset = dataset;

    const event: SecurityEvent = {
      id: ctx.ids.next(),
      timestamp,
      kind,
      sourceIp,
      username: text(record, 'user.name'),
      userId: text(record, 'user.id'),
      userAgent: text(record, 'user_agent.original'),
      sessionId: text(record, 'session.id'),
      labels,
    };
    if (kind === 'login.failure') event.reason = text(record, 'event.reason') ?? action;
    if (method !== undefined || path !== undefined || original !== undefined) {
      const http: HttpInfo = {};
      if (method !== undefined) http.method = method.toUpperCase();
      let query = text(record, 'url.query');
      let urlPath = path;
      if (urlPath === undefined && original !== undefined) {
        const q = original.indexOf('?');
        urlPath = q < 0 ? original : original.slice(0, q);
        if (query === undefined && q >= 0) query = original.slice(q + 1);
      }
      if (urlPath !== undefined) http.path = urlPath;
      if (query !== undefined) http.query = query;
      const status = ecsField(record, 'http.response.status_code');
      if (typeof status === 'number' && Number.isInteger(status)) http.status = status;
      else if (typeof status === 'string' && /^\d{3}$/.test(status)) http.status = Number(status);
      const bytes = ecsField(record, 'http.response.body.bytes');
      if (typeof bytes === 'number' && Number.isFinite(bytes)) http.bytes = bytes;
      event.http = http;
    }
    return { event };
  },
};
