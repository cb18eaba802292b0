import { Type, type Static } from '@sinclair/typebox';
import type { Detection } from '../core/detection.js';
import { rank, upgrade, type ThreatLevel } from '../core/threat-level.js';
import { AddressSet } from './address-set.js';
import type { ViolationHistory } from './violation-history.js';

/** Scripted clients and attack tools, matched case-insensitively as substrings of the user agent. */
export const DEFAULT_RISKY_USER_AGENTS = [
  'curl',
  'wget',
  'python',
  'sqlmap',
  'nikto',
  'nmap',
  'masscan',
  'zgrab',
  'gobuster',
  'dirbuster',
  'hydra',
  'go-http-client',
  'libwww-perl',
  'okhttp',
  'java/',
  'scrapy',
  'httpclient',
  'powershell',
] as const;

export const scorerConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Threat analysis: upgrade levels and adjust confidence. When off, the level is the detection\'s severity and its confidence is unchanged.',
    }),
    timeZone: Type.String({
      default: 'UTC',
      description: 'IANA time zone (e.g. Europe/Berlin) in which off-hours and weekends are judged.',
    }),
    offHoursStart: Type.Integer({
      minimum: 0,
      maximum: 23,
      default: 2,
      description: 'First hour (0-23, local to timeZone) of the off-hours window that raises the level one step and confidence by 0.2.',
    }),
    offHoursEnd: Type.Integer({
      minimum: 1,
      maximum: 24,
      default: 6,
      description: 'Hour at which off-hours end (exclusive): 2 and 6 mean 02:00:00-05:59:59.',
    }),
    criticalViolationCount: Type.Integer({
      minimum: 0,
      default: 10,
      description: 'An IP with more than this many violations in its history makes the detection CRITICAL.',
    }),
    elevatedViolationCount: Type.Integer({
      minimum: 0,
      default: 5,
      description: 'An IP with more than this many violations in its history raises the level one step.',
    }),
    complexPayloadLength: Type.Integer({
      minimum: 1,
      default: 1000,
      description: 'A violation payload longer than this many characters (or containing both "script" and "eval") makes the detection CRITICAL.',
    }),
    threatList: Type.Array(Type.String(), {
      default: [],
      description: 'Known threat sources (IPs and CIDR ranges, IPv4 or IPv6): detections from them are CRITICAL.',
    }),
    lowReputation: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.3,
      description: 'An IP reputation (0 bad .. 1 good, when a reputation source is wired) below this adds 0.2 confidence.',
    }),
    burstWindowSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 300,
      description: 'Window for the burst rule: more than burstEvents violation events from the IP in it add 0.3 confidence.',
    }),
    burstEvents: Type.Integer({
      minimum: 0,
      default: 10,
      description: 'Violation events from one IP within burstWindowSeconds above which confidence rises by 0.3.',
    }),
    correlationMinTypes: Type.Integer({
      minimum: 2,
      default: 2,
      description: 'Distinct attack types from one IP (within the history) from which confidence rises by 0.2 (correlation).',
    }),
    riskyUserAgents: Type.Array(Type.String({ minLength: 1 }), {
      default: [...DEFAULT_RISKY_USER_AGENTS],
      description: 'Case-insensitive substrings marking a scripted client in the user agent: adds 0.1 confidence.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type ScorerConfig = Static<typeof scorerConfigSchema>;

/** Confidence added by each context signal (from the spec). */
export const CONFIDENCE_BOOSTS = {
  lowReputation: 0.2,
  riskyUserAgent: 0.1,
  offHours: 0.2,
  weekend: 0.1,
  burst: 0.3,
  correlation: 0.2,
} as const;

export interface ScoreResult {
  level: ThreatLevel;
  confidence: number;
  /** One human-readable line per adjustment, in the order applied. */
  reasons: string[];
}

/**
 * What the scorer knows about the detection's source. Anything left out is
 * taken from the injected history / reputation function (when there is one).
 */
export interface ScoreContext {
  /** Event time to judge off-hours, weekend and history at; defaults to the detection's last seen. */
  at?: number;
  /** Violations of the IP within the history retention (including this detection when already recorded). */
  violations?: number;
  /** Violation events of the IP within burstWindowSeconds. */
  recentEvents?: number;
  /** Distinct attack types of the IP within the history retention. */
  attackTypes?: number;
  /** Reputation of the IP, 0 (bad) .. 1 (good). */
  reputation?: number;
}

export interface ScorerDependencies {
  history?: ViolationHistory;
  /** IP reputation 0 (bad) .. 1 (good); undefined when unknown. */
  reputation?: (ip: string) => number | undefined;
}

/** The scorer's configuration cannot work (unknown time zone, bad threat-list entry). */
export class ScorerConfigError extends Error {
  readonly code = 'VIGIL_E_SCORER_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ScorerConfigError';
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One cached formatter per time zone: building one costs far more than using it. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Hour (0-23) and weekday (Sun..Sat) of `at` in `timeZone`. */
export function localHourAndWeekday(at: number, timeZone: string): { hour: number; weekday: string } {
  let hour = 0;
  let weekday = '';
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'weekday') weekday = part.value;
  }
  return { hour, weekday };
}

/**
 * Threat level and confidence of a detection in context. Level rules (each
 * may only raise the level): many violations in the IP's history, off-hours,
 * a complex payload, a known threat source. Confidence rules add to the
 * detector's confidence, capped at 1. Every adjustment is explained in
 * `reasons`, which alerts and the API show as they are.
 */
export class ThreatScorer {
  private readonly threatList = new AddressSet();
  private readonly riskyAgents: RegExp | undefined;

  constructor(
    private readonly config: ScorerConfig,
    private readonly deps: ScorerDependencies = {},
  ) {
    try {
      formatterFor(config.timeZone);
    } catch {
      throw new ScorerConfigError(`scoring.timeZone "${config.timeZone}" is not an IANA time zone (e.g. Europe/Berlin, UTC)`);
    }
    if (config.offHoursEnd <= config.offHoursStart) {
      throw new ScorerConfigError('scoring.offHoursEnd must be after scoring.offHoursStart');
    }
    for (const entry of config.threatList) {
      try {
        this.threatList.add(entry, undefined);
      } catch (error) {
        throw new ScorerConfigError(`scoring.threatList: ${(error as Error).message}`);
      }
    }
    this.riskyAgents =
      config.riskyUserAgents.length === 0
        ? undefined
        : new RegExp(config.riskyUserAgents.map((token) => token.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|'), 'i');
  }

  score(detection: Detection, context: ScoreContext = {}): ScoreResult {
    const base = detection.severity;
    if (!this.config.enabled) return { level: base, confidence: detection.confidence, reasons: [] };
    const config = this.config;
    const evidence = detection.evidence;
    const at = context.at ?? (Number.isFinite(evidence.lastSeen) ? evidence.lastSeen : detection.detectedAt);
    const ip = detection.sourceIp;
    const history = this.deps.history;
    const reasons: string[] = [];
    let level = base;
    const raise = (to: ThreatLevel, why: string): void => {
      if (rank(to) <= rank(level)) {
        reasons.push(`${why} (already ${level})`);
        return;
      }
      reasons.push(`${why}: ${level} → ${to}`);
      level = to;
    };

    // Level upgrades.
    const violations = context.violations ?? (ip !== undefined && history !== undefined ? history.count(ip, at) : 0);
    if (violations > config.criticalViolationCount) {
      raise('CRITICAL', `${violations} violations from this IP in the history (more than ${config.criticalViolationCount})`);
    } else if (violations > config.elevatedViolationCount) {
      raise(upgrade(level), `${violations} violations from this IP in the history (more than ${config.elevatedViolationCount})`);
    }
    const { hour, weekday } = localHourAndWeekday(at, config.timeZone);
    const offHours = hour >= config.offHoursStart && hour < config.offHoursEnd;
    const localTime = `${String(hour).padStart(2, '0')}h ${weekday} in ${config.timeZone}`;
    if (offHours) raise(upgrade(level), `off-hours activity (${localTime})`);
    const maxLength = typeof evidence.maxEventDataLength === 'number' ? evidence.maxEventDataLength : 0;
    if (maxLength > config.complexPayloadLength) {
      raise('CRITICAL', `complex payload (${maxLength} characters, more than ${config.complexPayloadLength})`);
    } else if (evidence.scriptAndEval === true) {
      raise('CRITICAL', 'complex payload (contains both "script" and "eval")');
    }
    if (isIocHit(evidence.ioc)) {
      raise('CRITICAL', `known threat source (IOC match${describeIoc(evidence.ioc)})`);
    } else if (ip !== undefined) {
      const listed = this.threatList.match(ip, at);
      if (listed !== undefined) raise('CRITICAL', `known threat source (threat list ${listed.value})`);
    }

    // Confidence.
    let confidence = detection.confidence;
    const boost = (amount: number, why: string): void => {
      confidence += amount;
      reasons.push(`${why}: confidence +${amount}`);
    };
    const reputation = context.reputation ?? (ip !== undefined ? this.deps.reputation?.(ip) : undefined);
    if (reputation !== undefined && reputation < config.lowReputation) {
      boost(CONFIDENCE_BOOSTS.lowReputation, `low IP reputation (${reputation} < ${config.lowReputation})`);
    }
    const agent = riskyAgent(evidence, this.riskyAgents);
    if (agent !== undefined) boost(CONFIDENCE_BOOSTS.riskyUserAgent, `scripted client user agent (${agent})`);
    if (offHours) boost(CONFIDENCE_BOOSTS.offHours, `off-hours (${localTime})`);
    if (weekday === 'Sat' || weekday === 'Sun') boost(CONFIDENCE_BOOSTS.weekend, `weekend (${localTime})`);
    const recent =
      context.recentEvents ??
      (ip !== undefined && history !== undefined ? history.eventsWithin(ip, at, config.burstWindowSeconds * 1000) : 0);
    if (recent > config.burstEvents) {
      boost(CONFIDENCE_BOOSTS.burst, `${recent} violation events from this IP within ${config.burstWindowSeconds} s (more than ${config.burstEvents})`);
    }
    const types = context.attackTypes ?? (ip !== undefined && history !== undefined ? history.types(ip, at).length : 0);
    if (types >= config.correlationMinTypes) {
      boost(CONFIDENCE_BOOSTS.correlation, `${types} different attack types from this IP (correlated)`);
    }
    // Rounded so that 0.7 + 0.2 is 0.9, not 0.8999999999999999.
    confidence = Math.min(1, Math.round(confidence * 1000) / 1000);
    return { level, confidence, reasons };
  }
}

/** Evidence `ioc`: `true`, or an object with `hit: true` / `matched: true` (enrichers differ). */
function isIocHit(ioc: unknown): boolean {
  if (ioc === true) return true;
  if (typeof ioc === 'object' && ioc !== null) {
    const record = ioc as Record<string, unknown>;
    return record.hit === true || record.matched === true;
  }
  return false;
}

/** `: domain evil.example, phishing, from feed-x` when the evidence names the indicator. */
function describeIoc(ioc: unknown): string {
  if (typeof ioc !== 'object' || ioc === null) return '';
  const { type, value, threatType, source } = ioc as Record<string, unknown>;
  if (typeof value !== 'string') return '';
  const parts = [`${typeof type === 'string' ? `${type} ` : ''}${value}`];
  if (typeof threatType === 'string') parts.push(threatType);
  if (typeof source === 'string') parts.push(`from ${source}`);
  return `: ${parts.join(', ')}`;
}

function riskyAgent(evidence: Detection['evidence'], pattern: RegExp | undefined): string | undefined {
  if (evidence.riskyUserAgent === true) return typeof evidence.userAgent === 'string' ? evidence.userAgent.slice(0, 60) : 'flagged';
  if (pattern === undefined || typeof evidence.userAgent !== 'string') return undefined;
  const match = pattern.exec(evidence.userAgent);
  return match === null ? undefined : match[0].toLowerCase();
}
