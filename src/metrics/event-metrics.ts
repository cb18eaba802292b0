import { Counter, Gauge, type Registry } from 'prom-client';
import { isCompanion, type SecurityEvent } from '../core/event.js';
import type { ThreatLevel } from '../core/threat-level.js';
import type { GeoLocator } from '../enrich/geoip.js';
import { LOGIN_FAILURE_REASONS } from '../parsers/native-json.js';
import { BatchHistogram } from './batch-histogram.js';
import { BoundedLabels } from './bounded-labels.js';
import type { MetricsConfig } from './config.js';
import { maskedNetwork } from './ip-label.js';

/** `event_type` label values of security_events_total (bounded: anything else is OTHER / OTHER_VIOLATION). */
export const EVENT_TYPES = [
  'LOGIN_SUCCESS',
  'LOGIN_FAILURE',
  'XSS_ATTACK',
  'CSRF_VIOLATION',
  'SQL_INJECTION',
  'CORS_VIOLATION',
  'RATE_LIMIT_VIOLATION',
  'OTHER_VIOLATION',
  'HTTP_REQUEST',
  'PROCESS',
  'NETWORK_CONNECTION',
  'OTHER',
] as const;
export type EventTypeLabel = (typeof EVENT_TYPES)[number];

/** `component` label: the part of the protected system an event type comes from. */
export const COMPONENT_OF: Readonly<Record<EventTypeLabel, string>> = {
  LOGIN_SUCCESS: 'authentication',
  LOGIN_FAILURE: 'authentication',
  XSS_ATTACK: 'application',
  CSRF_VIOLATION: 'application',
  SQL_INJECTION: 'application',
  CORS_VIOLATION: 'application',
  RATE_LIMIT_VIOLATION: 'application',
  OTHER_VIOLATION: 'application',
  HTTP_REQUEST: 'web',
  PROCESS: 'host',
  NETWORK_CONNECTION: 'network',
  OTHER: 'other',
};

/** `threat_level` label: NONE when the event's source IP has no open incident. */
export const EVENT_LEVELS = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const LEVEL_INDEX: Readonly<Record<ThreatLevel, number>> = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

const TYPE_INDEX = new Map<string, number>(EVENT_TYPES.map((t, i) => [t, i]));
const LOGIN_SUCCESS = 0;
const LOGIN_FAILURE = 1;
const OTHER_VIOLATION = 7;
const HTTP_REQUEST = 8;
const PROCESS = 9;
const NETWORK_CONNECTION = 10;
const OTHER = 11;
const TYPES = EVENT_TYPES.length;
const LEVELS = EVENT_LEVELS.length;
/** Counters per masked network: one slot per (event type, level). */
const STRIDE = TYPES * LEVELS;

/** Failure reasons the parsers produce; they never fall into `other`. */
export const KNOWN_FAILURE_REASONS: readonly string[] = [
  ...LOGIN_FAILURE_REASONS,
  'UNKNOWN',
  'INVALID_USER',
  'INVALID_KEY',
  'PREAUTH_DISCONNECT',
  'NO_AUTH_METHODS',
  'AUTH_FAIL',
  'MAX_AUTH_TRIES',
  'USER_CHANGE',
  'PAM_FAILURE',
  'NO_IDENTIFICATION',
  'ROOT_LOGIN_REFUSED',
  'CONNECTION_REFUSED',
];
/** What a reason label may look like; anything else is counted as INVALID (reasons come from clients). */
const REASON_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/;
const COUNTRY_SHAPE = /^[A-Z]{2}$/;
const MAX_COUNTRIES = 300;
/** IPv4 /24 → network label index, so most events need neither a string nor a string hash. Cleared when full. */
const V4_CACHE_MAX = 65_536;

/** Seconds per event (processing) and per login (duration) histogram buckets. */
export const PROCESSING_BUCKETS = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.1];
export const LOGIN_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface EventMetricsDeps {
  /** Level of the open incident of an IP (undefined: none). */
  levelOf?: (ip: string) => ThreatLevel | undefined;
  /** Country lookup for events without `geo` (absent: only `event.geo` counts). */
  locator?: GeoLocator;
}

/** What other components report at scrape time. */
export interface EventMetricsReaders {
  /** Web-attack findings in http.request events by class (sqli, xss, …). */
  webFindings?: () => Readonly<Record<string, number>>;
  /** Isolation-forest score s ∈ (0, 1] of the most recently scored login (undefined: no model). */
  anomalyScore?: () => number | undefined;
}

/**
 * Per-event security metrics: security_events_total, the login metrics, the
 * violation counters, events by country and by source, processing time.
 *
 * The pipeline hands over each processed batch once (`observeBatch`); per
 * event the work is a few array increments keyed by small indices (event
 * type, level, masked network, source) — no label objects, no prom-client
 * calls. Labels are materialised at scrape time in `collect()`.
 */
export class EventMetrics {
  /** Flat counters: [network][event type][level]. */
  private readonly counts: number[] = [];
  private readonly byType = new Float64Array(TYPES);
  private readonly networks: BoundedLabels;
  private readonly reasons: BoundedLabels;
  private readonly sources: BoundedLabels;
  private readonly countries = new BoundedLabels(MAX_COUNTRIES);
  private readonly v4Networks = new Map<number, number>();
  private readonly reasonCounts: number[] = [];
  private readonly sourceCounts: number[] = [];
  private readonly countryCounts: number[] = [];
  private readonly logins = { success: 0, failure: 0 };
  private processingHistogram: BatchHistogram | undefined;
  private durationHistogram: BatchHistogram | undefined;
  /** Durations seen before registration (tests without a registry still count). */
  private readonly pendingDurations: number[] = [];

  constructor(
    private readonly config: MetricsConfig,
    private readonly deps: EventMetricsDeps = {},
  ) {
    this.networks = new BoundedLabels(config.maxNetworkLabels);
    this.reasons = new BoundedLabels(config.maxReasonLabels, KNOWN_FAILURE_REASONS);
    this.sources = new BoundedLabels(config.maxSourceLabels);
  }

  /** A processed batch and the seconds it took (detectors and response included). */
  observeBatch(events: readonly SecurityEvent[], seconds: number): void {
    const n = events.length;
    if (n === 0) return;
    this.processingHistogram?.observeMany(seconds / n, n);
    const levelOf = this.deps.levelOf;
    const countries = this.config.countryLookup;
    let lastIp = '';
    let lastNetwork = 0;
    let lastLevel = 0;
    let lastSource: string | undefined;
    let lastSourceIndex = 0;
    for (let i = 0; i < n; i++) {
      const event = events[i] as SecurityEvent;
      const type = typeIndex(event);
      const ip = event.sourceIp;
      if (ip !== lastIp) {
        lastIp = ip;
        lastNetwork = this.networkIndex(ip);
        const level = levelOf?.(ip);
        lastLevel = level === undefined ? 0 : LEVEL_INDEX[level];
      }
      const slot = lastNetwork * STRIDE + type * LEVELS + lastLevel;
      const counts = this.counts;
      while (counts.length <= slot) counts.push(0);
      counts[slot] = (counts[slot] as number) + 1;
      this.byType[type] = (this.byType[type] as number) + 1;

      const source = event.labels.source;
      if (source !== lastSource) {
        lastSource = source;
        lastSourceIndex = this.sources.indexOf(source ?? 'unknown');
      }
      bump(this.sourceCounts, lastSourceIndex);

      if (type === LOGIN_SUCCESS || type === LOGIN_FAILURE) {
        if (isCompanion(event)) continue;
        if (type === LOGIN_SUCCESS) this.logins.success++;
        else {
          this.logins.failure++;
          bump(this.reasonCounts, this.reasonIndex(event.reason));
        }
        const ms = event.durationMs;
        if (ms !== undefined) this.observeDuration(ms / 1000);
        if (countries) this.countCountry(event);
      } else if (type >= 2 && type <= OTHER_VIOLATION && countries) {
        this.countCountry(event);
      }
    }
  }

  /** Register the metrics in `registry`; `readers` give values other components keep. */
  register(registry: Registry, readers: EventMetricsReaders = {}): void {
    const registers = [registry];
    const { counts, byType, networks, reasons, sources, countries, reasonCounts, sourceCounts, countryCounts, logins } = this;
    new Counter({
      name: 'security_events_total',
      help:
        'Security events processed, by component, event type, threat level (of the open incident of the source IP when the batch ' +
        'was processed; NONE without one) and masked client network (/24, /48; capped, overflow "other").',
      labelNames: ['component', 'event_type', 'threat_level', 'client_ip_masked'],
      registers,
      collect() {
        this.reset();
        const networkValues = networks.values;
        for (let slot = 0; slot < counts.length; slot++) {
          const value = counts[slot] as number;
          if (value === 0) continue;
          const network = Math.floor(slot / STRIDE);
          const rest = slot % STRIDE;
          const type = EVENT_TYPES[Math.floor(rest / LEVELS)] as EventTypeLabel;
          this.inc(
            {
              component: COMPONENT_OF[type],
              event_type: type,
              threat_level: EVENT_LEVELS[rest % LEVELS] as string,
              client_ip_masked: networkValues[network] as string,
            },
            value,
          );
        }
      },
    });
    new Counter({
      name: 'login_attempts_total',
      help: 'Login attempts (login.success / login.failure events, secondary log lines of one attempt not counted), by result.',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        this.inc({ result: 'success' }, logins.success);
        this.inc({ result: 'failure' }, logins.failure);
      },
    });
    new Counter({
      name: 'login_failures_total',
      help: 'Failed logins by reason (known reasons plus a capped number of others; overflow "other", malformed "INVALID").',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        const values = reasons.values;
        for (let i = 0; i < reasonCounts.length; i++) {
          const n = reasonCounts[i] as number;
          if (n > 0) this.inc({ reason: values[i] as string }, n);
        }
      },
    });
    this.durationHistogram = new BatchHistogram(
      'login_duration_seconds',
      'How long logins took, for login events that carry a duration (durationMs).',
      LOGIN_DURATION_BUCKETS,
      registry,
    );
    for (const seconds of this.pendingDurations.splice(0)) this.durationHistogram.observe(seconds);
    this.processingHistogram = new BatchHistogram(
      'security_events_processing_time',
      'Seconds of processing per event (detectors, response, hand-off to store and SIEM); timed per batch, each event recorded with its batch mean.',
      PROCESSING_BUCKETS,
      registry,
    );
    const violation = (name: string, help: string, types: readonly EventTypeLabel[], findings?: string) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          let total = 0;
          for (const type of types) total += byType[TYPE_INDEX.get(type) as number] as number;
          if (findings !== undefined) total += readers.webFindings?.()[findings] ?? 0;
          this.inc(total);
        },
      });
    violation('security_cors_violations_total', 'CORS_VIOLATION events reported by the application.', ['CORS_VIOLATION']);
    violation('security_csrf_violations_total', 'CSRF_VIOLATION events reported by the application.', ['CSRF_VIOLATION']);
    violation('security_ratelimit_violations_total', 'RATE_LIMIT_VIOLATION events reported by the application.', ['RATE_LIMIT_VIOLATION']);
    violation(
      'security_xss_attacks_total',
      'XSS: XSS_ATTACK events reported by the application plus http.request events the web-attack detector classified as XSS.',
      ['XSS_ATTACK'],
      'xss',
    );
    violation(
      'security_sqlinjection_attempts_total',
      'SQL injection: SQL_INJECTION events reported by the application plus http.request events classified as SQL injection.',
      ['SQL_INJECTION'],
      'sqli',
    );
    if (readers.anomalyScore !== undefined) {
      const read = readers.anomalyScore;
      new Gauge({
        name: 'security_anomaly_confidence_score',
        help: 'Isolation-forest anomaly score s (0..1; about 0.5 ordinary, near 1 anomalous) of the most recently scored login.',
        registers,
        collect() {
          const score = read();
          this.reset();
          if (score !== undefined) this.set(score);
        },
      });
    }
    new Counter({
      name: 'security_events_by_country_total',
      help: 'Login and violation events by the ISO 3166 country of the source IP (GeoIP); "unknown" when it has none (private, unlisted).',
      labelNames: ['country'],
      registers,
      collect() {
        this.reset();
        const values = countries.values;
        for (let i = 0; i < countryCounts.length; i++) {
          const n = countryCounts[i] as number;
          if (n > 0) this.inc({ country: values[i] as string }, n);
        }
      },
    });
    new Counter({
      name: 'vigil_pipeline_source_events_total',
      help: 'Events processed by the pipeline per source (labels.source; rate() gives events/s per source; capped, overflow "other").',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        const values = sources.values;
        for (let i = 0; i < sourceCounts.length; i++) {
          const n = sourceCounts[i] as number;
          if (n > 0) this.inc({ source: values[i] as string }, n);
        }
      },
    });
    new Counter({
      name: 'vigil_metric_label_overflow_total',
      help: 'Observations counted under "other" because a label reached its cap, by label.',
      labelNames: ['label'],
      registers,
      collect() {
        this.reset();
        this.inc({ label: 'client_ip_masked' }, networks.overflowed);
        this.inc({ label: 'reason' }, reasons.overflowed);
        this.inc({ label: 'source' }, sources.overflowed);
        this.inc({ label: 'country' }, countries.overflowed);
      },
    });
  }

  /** Index of the masked network of `ip`: IPv4 through an integer-keyed cache, the rest by its label. */
  private networkIndex(ip: string): number {
    const key = ip.indexOf(':') === -1 ? ipv4Slash24(ip) : -1;
    if (key < 0) return this.networks.indexOf(maskedNetwork(ip));
    const cached = this.v4Networks.get(key);
    if (cached !== undefined) {
      if (cached === this.networks.otherIndex) this.networks.overflowed++;
      return cached;
    }
    const index = this.networks.indexOf(maskedNetwork(ip));
    if (this.v4Networks.size >= V4_CACHE_MAX) this.v4Networks.clear();
    this.v4Networks.set(key, index);
    return index;
  }

  private observeDuration(seconds: number): void {
    if (!(seconds >= 0)) return;
    if (this.durationHistogram !== undefined) this.durationHistogram.observe(seconds);
    else if (this.pendingDurations.length < 10_000) this.pendingDurations.push(seconds);
  }

  private reasonIndex(reason: string | undefined): number {
    const value = reason === undefined || reason === '' ? 'UNKNOWN' : reason;
    const known = this.reasons.known(value);
    if (known !== undefined) return known;
    return this.reasons.indexOf(REASON_SHAPE.test(value) ? value : 'INVALID');
  }

  private countCountry(event: SecurityEvent): void {
    const code = event.geo?.country ?? this.deps.locator?.lookup(event.sourceIp)?.country;
    const label = code !== undefined && COUNTRY_SHAPE.test(code) ? code : 'unknown';
    bump(this.countryCounts, this.countries.indexOf(label));
  }
}

/** The first three octets of a dotted IPv4 address as one integer, or -1 when it is not one. */
export function ipv4Slash24(ip: string): number {
  let key = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || octet > 255) return -1;
      key = key * 256 + octet;
      if (++dots === 3) return key;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48);
      digits++;
    } else {
      return -1;
    }
  }
  return -1;
}

function bump(counts: number[], index: number): void {
  while (counts.length <= index) counts.push(0);
  counts[index] = (counts[index] as number) + 1;
}

function typeIndex(event: SecurityEvent): number {
  switch (event.kind) {
    case 'login.success':
      return LOGIN_SUCCESS;
    case 'login.failure':
      return LOGIN_FAILURE;
    case 'waf.violation': {
      const native = event.violationType;
      if (native === undefined) return OTHER_VIOLATION;
      const index = TYPE_INDEX.get(native) ?? TYPE_INDEX.get(native.toUpperCase());
      return index !== undefined && index >= 2 && index < OTHER_VIOLATION ? index : OTHER_VIOLATION;
    }
    case 'http.request':
      return HTTP_REQUEST;
    case 'process':
      return PROCESS;
    case 'network.connection':
      return NETWORK_CONNECTION;
    default:
      return OTHER;
  }
}
