import { isIP } from 'node:net';
import { VERSION } from '../../core/version.js';
import { attackReference, attackTechniqueFor, AUTHENTICATION_DETECTIONS, WEB_DETECTIONS } from '../attack-mapping.js';
import { recordId, recordSummary, recordTime, type SiemRecord } from '../record.js';
import { ECS_SEVERITY } from '../severity.js';
import { RAW_LIMIT } from './json.js';
import { truncateChars } from './truncate.js';

/**
 * Elastic Common Schema (ECS 8.x) documents for the `_bulk` API.
 *
 * Each record is an action line `{"create":{"_index":…,"_id":…}}` (data
 * streams accept only `create`) and the document; the body ends with a
 * newline. `_id` is the record id, so a record delivered twice
 * (at-least-once) is stored once: the second `create` answers 409, which the
 * forwarder counts as delivered.
 *
 * `event.kind` is `alert` for detections and `event` otherwise;
 * `event.severity` uses Elastic's rule scale (21/47/73/99, see severity.ts);
 * `threat.*` is set only for detection types with an ATT&CK mapping;
 * `source.ip` only for valid addresses (an `ip` field rejects anything else).
 */
export const ECS_VERSION = '8.11.0';
/** Keyword fields are cut to Elasticsearch's usual `ignore_above` of 1024. */
const KEYWORD_LIMIT = 1024;

export interface EcsOptions {
  /** Index or data stream name. */
  index: string;
  /** Send `_id` (the record id) so retries do not duplicate documents. */
  documentIds?: boolean;
}

type Doc = Record<string, unknown>;

function kw(value: string | undefined): string | undefined {
  return value === undefined ? undefined : truncateChars(value, KEYWORD_LIMIT);
}

function ipOrUndefined(ip: string | undefined): string | undefined {
  return ip !== undefined && isIP(ip) !== 0 ? ip : undefined;
}

/** ECS labels: flat keyword map; dots in keys would become objects, so they become underscores. */
function labelsOf(labels: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let any = false;
  for (const [key, value] of Object.entries(labels)) {
    out[key.replace(/[.\s]/g, '_')] = truncateChars(String(value), KEYWORD_LIMIT);
    any = true;
  }
  return any ? out : undefined;
}

/** Remove undefined values and empty objects, so documents carry only what is known. */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  if (value === null || typeof value !== 'object') return value;
  const out: Doc = {};
  for (const [key, inner] of Object.entries(value)) {
    const c = compact(inner);
    if (c === undefined) continue;
    if (typeof c === 'object' && c !== null && !Array.isArray(c) && Object.keys(c).length === 0) continue;
    out[key] = c;
  }
  return out;
}

function threatOf(detectionType: string): Doc | undefined {
  const t = attackTechniqueFor(detectionType);
  if (t === undefined) return undefined;
  return {
    framework: 'MITRE ATT&CK',
    tactic: { id: [t.tactic.id], name: [t.tactic.name], reference: [attackReference(t.tactic.id)] },
    technique: {
      id: [t.technique.id],
      name: [t.technique.name],
      reference: [attackReference(t.technique.id)],
      subtechnique: t.subtechnique
        ? { id: [t.subtechnique.id], name: [t.subtechnique.name], reference: [attackReference(t.subtechnique.id)] }
        : undefined,
    },
  };
}

function dataStreamOf(index: string): Doc | undefined {
  const m = /^(logs|metrics|traces)-([^-]+)-(.+)$/.exec(index);
  return m ? { type: m[1], dataset: m[2], namespace: m[3] } : undefined;
}

export function formatEcsDocument(record: SiemRecord, options: EcsOptions = { index: 'logs-vigil.alerts-default' }): Doc {
  const base: Doc = {
    '@timestamp': new Date(recordTime(record)).toISOString(),
    ecs: { version: ECS_VERSION },
    message: truncateChars(recordSummary(record), 8192),
    observer: { vendor: 'Vigil', product: 'Vigil', version: VERSION, type: 'ids' },
    data_stream: dataStreamOf(options.index),
  };
  let doc: Doc;
  switch (record.kind) {
    case 'detection': {
      const d = record.detection;
      const categories = AUTHENTICATION_DETECTIONS.has(d.type)
        ? ['authentication', 'intrusion_detection']
        : WEB_DETECTIONS.has(d.type)
          ? ['web', 'intrusion_detection']
          : ['intrusion_detection'];
      doc = {
        ...base,
        event: {
          kind: 'alert',
          category: categories,
          type: ['info'],
          outcome: 'unknown',
          action: kw(d.type),
          severity: ECS_SEVERITY[record.severity],
          risk_score: ECS_SEVERITY[record.severity],
          id: kw(recordId(record)),
          dataset: 'vigil.detection',
          module: 'vigil',
          start: new Date(d.evidence.firstSeen).toISOString(),
          end: new Date(d.evidence.lastSeen).toISOString(),
        },
        source: { ip: ipOrUndefined(d.sourceIp) },
        user: { name: kw(d.username) },
        rule: { name: kw(d.type), id: kw(`${d.detector}:${d.type}`), ruleset: 'vigil', category: kw(d.detector) },
        threat: threatOf(d.type),
        related: {
          ip: d.evidence.ips?.filter((ip) => isIP(ip) !== 0).slice(0, 100),
          user: d.evidence.usernames?.slice(0, 100).map((u) => truncateChars(u, KEYWORD_LIMIT)),
        },
        labels: labelsOf({ detector: d.detector, status: record.status, level: record.severity }),
        vigil: {
          detection: {
            id: kw(d.id),
            status: record.status,
            confidence: d.confidence,
            event_count: d.evidence.eventCount,
            event_ids: d.eventIds.slice(0, 100),
            detected_at: new Date(d.detectedAt).toISOString(),
          },
        },
      };
      break;
    }
    case 'event': {
      const e = record.event;
      const isLogin = e.kind.startsWith('login.');
      const isWeb = e.kind === 'http.request' || e.kind === 'waf.violation';
      const category = isLogin ? ['authentication'] : e.kind === 'waf.violation' ? ['intrusion_detection', 'web'] : isWeb ? ['web'] : ['intrusion_detection'];
      const type = isLogin ? ['start'] : e.kind === 'http.request' ? ['access'] : ['info'];
      const status = e.http?.status;
      const outcome =
        e.kind === 'login.success' ? 'success' : e.kind === 'login.failure' ? 'failure' : status !== undefined ? (status >= 400 ? 'failure' : 'success') : 'unknown';
      doc = {
        ...base,
        event: {
          kind: 'event',
          category,
          type,
          outcome,
          action: kw(e.kind),
          severity: ECS_SEVERITY[record.severity],
          id: kw(e.id),
          dataset: 'vigil.event',
          module: 'vigil',
          reason: kw(e.reason ?? e.violationType),
          original: e.raw !== undefined ? truncateChars(e.raw, RAW_LIMIT) : undefined,
        },
        source: { ip: ipOrUndefined(e.sourceIp), geo: e.geo ? { country_iso_code: e.geo.country, city_name: e.geo.city, location: { lat: e.geo.latitude, lon: e.geo.longitude } } : undefined },
        destination: { port: e.destinationPort },
        user: { name: kw(e.username), id: kw(e.userId) },
        user_agent: { original: kw(e.userAgent) },
        url: isWeb ? { path: kw(e.http?.path), query: kw(e.http?.query) } : undefined,
        http: e.http ? { request: { method: kw(e.http.method) }, response: { status_code: e.http.status } } : undefined,
        process: e.command !== undefined ? { command_line: truncateChars(e.command, RAW_LIMIT) } : undefined,
        labels: labelsOf(e.labels),
      };
      break;
    }
    case 'decision': {
      const d = record.decision;
      doc = {
        ...base,
        event: {
          kind: 'event',
          category: ['intrusion_detection'],
          type: [d.action === 'block' ? 'denied' : 'info'],
          outcome: 'success',
          action: `decision.${d.action}`,
          severity: ECS_SEVERITY[record.severity],
          id: kw(d.id),
          dataset: 'vigil.decision',
          module: 'vigil',
          reason: kw(d.reason),
          end: new Date(d.until).toISOString(),
        },
        source: { ip: d.scope === 'ip' ? ipOrUndefined(d.value) : undefined },
        user: { name: d.scope === 'user' ? kw(d.value) : undefined },
        labels: labelsOf({ origin: d.origin, scope: d.scope, ...(d.simulated ? { simulated: 'true' } : {}) }),
        vigil: { decision: { id: kw(d.id), scope: d.scope, value: kw(d.value), action: d.action, until: new Date(d.until).toISOString() } },
      };
      break;
    }
  }
  return compact(doc) as Doc;
}

/** The `_bulk` action line for one record. */
export function formatBulkAction(record: SiemRecord, options: EcsOptions): string {
  const meta: Record<string, string> = { _index: options.index };
  if (options.documentIds !== false) meta._id = recordId(record);
  return JSON.stringify({ create: meta });
}

/** A whole `_bulk` request body: action + document per record, newline-terminated. */
export function formatEcsBulk(records: readonly SiemRecord[], options: EcsOptions): string {
  let body = '';
  for (const record of records) body += `${formatBulkAction(record, options)}\n${JSON.stringify(formatEcsDocument(record, options))}\n`;
  return body;
}
