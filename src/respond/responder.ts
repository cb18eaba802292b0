import { Type, type Static } from '@sinclair/typebox';
import type { Decision, Incident } from '../core/detection.js';
import { rank, type ThreatLevel } from '../core/threat-level.js';
import { KeyedState } from '../detect/windows/keyed-state.js';
import { allowlistConfigSchema } from './allowlist.js';
import type { DecisionStore } from './decisions.js';
import { decisionsConfigSchema } from './decisions.js';
import { incidentConfigSchema } from './incidents.js';
import { protectionModeConfigSchema, type ProtectionChange, type ProtectionMode } from './protection-mode.js';
import { scorerConfigSchema } from './scorer.js';
import { suppressionsConfigSchema } from './suppressions.js';
import { violationHistoryConfigSchema, type ViolationHistory } from './violation-history.js';

export const responderConfigSchema = Type.Object(
  {
    autoBlock: Type.Boolean({
      default: true,
      description: 'Make block decisions automatically. When off, incidents are still scored, alerted and recorded.',
    }),
    simulation: Type.Boolean({
      default: false,
      description: 'Simulation mode: automatic decisions are made and listed with simulated: true but never enforced.',
    }),
    criticalBlockSeconds: Type.Integer({ minimum: 1, default: 3600, description: 'Block duration for a CRITICAL incident (before escalation).' }),
    highBlockSeconds: Type.Integer({ minimum: 1, default: 1800, description: 'Block duration for a HIGH incident (before escalation).' }),
    mediumBlockSeconds: Type.Integer({
      minimum: 1,
      default: 300,
      description: 'Block duration for a MEDIUM incident whose IP has more than mediumMinViolations violations.',
    }),
    mediumMinViolations: Type.Integer({
      minimum: 0,
      default: 3,
      description: 'A MEDIUM incident blocks its IP only when the IP has more than this many violations in its history.',
    }),
    escalationFactor: Type.Number({
      minimum: 1,
      default: 2,
      description: 'Repeat offenders: block duration × factor^(previous bans of the IP) (fail2ban bantime.increment). 1 disables escalation.',
    }),
    maxBlockSeconds: Type.Integer({
      minimum: 1,
      default: 604_800,
      description: 'Cap on an escalated block duration (default 7 days).',
    }),
    banMemoryDays: Type.Number({
      exclusiveMinimum: 0,
      default: 30,
      description: 'Previous bans of an IP count for escalation for this many days of event time.',
    }),
    maxTrackedIps: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Memory bound: IPs whose previous bans are remembered, and incidents remembered as handled.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type ResponderConfig = Static<typeof responderConfigSchema>;

/** Everything the threat scoring and automated response read from `vigil.yaml` (section `response`). */
export const responseConfigSchema = Type.Object(
  {
    scoring: scorerConfigSchema,
    history: violationHistoryConfigSchema,
    incidents: incidentConfigSchema,
    responder: responderConfigSchema,
    protectionMode: protectionModeConfigSchema,
    allowlist: allowlistConfigSchema,
    decisions: decisionsConfigSchema,
    suppressions: suppressionsConfigSchema,
  },
  { additionalProperties: false, default: {} },
);
export type ResponseConfig = Static<typeof responseConfigSchema>;

export type SkipReason =
  | 'allowlisted'
  | 'auto_block_disabled'
  | 'below_violation_threshold'
  | 'no_ip'
  | 'already_blocked';

export type ResponseAction =
  | { type: 'block'; decision: Decision; durationSeconds: number; previousBans: number }
  | { type: 'alert'; level: ThreatLevel; incidentId: string }
  | { type: 'protection_mode'; change: ProtectionChange }
  | { type: 'digest'; level: ThreatLevel; incidentId: string }
  | { type: 'skipped'; reason: SkipReason; detail: string };

export interface ResponseResult {
  /** Decisions stored by this call (simulated ones included, flagged). */
  decisions: Decision[];
  actions: ResponseAction[];
}

export interface ResponderDependencies {
  config: ResponderConfig;
  decisions: DecisionStore;
  history: ViolationHistory;
  protection: ProtectionMode;
}

interface BanRecord {
  lastSeen: number;
  /** Event times of bans, oldest first (capped). */
  times: number[];
}

interface HandledIncident {
  lastSeen: number;
  level: ThreatLevel;
  /** Previous bans of the IP when this incident first blocked it: an incident escalating HIGH → CRITICAL is one offence, not two. */
  previousBans: number | undefined;
}

/** factor^n beyond this many bans exceeds any sane cap; keep no more. */
const MAX_BAN_TIMES = 64;

/**
 * Incident → decisions and actions, by level:
 *  - CRITICAL: block the IP criticalBlockSeconds, alert, count towards protection mode;
 *  - HIGH: block highBlockSeconds;
 *  - MEDIUM: block mediumBlockSeconds if the IP has more than mediumMinViolations violations, else digest;
 *  - LOW: digest only (the violation is already in the history).
 * Durations grow for repeat offenders: base × factor^(previous bans within
 * banMemoryDays), capped at maxBlockSeconds. An incident is acted on once
 * per level: handling it again at the same or a lower level does nothing,
 * a higher level acts again (and the decision store keeps the longer block).
 * The allowlist is enforced by the decision store, for every origin.
 */
export class Responder {
  private readonly bans: KeyedState<BanRecord>;
  private readonly handled: KeyedState<HandledIncident>;
  private readonly banMemoryMs: number;

  constructor(private readonly deps: ResponderDependencies) {
    const config = deps.config;
    this.banMemoryMs = config.banMemoryDays * 86_400_000;
    this.bans = new KeyedState<BanRecord>({ maxKeys: config.maxTrackedIps, ttlMs: this.banMemoryMs });
    // An incident resolves after a quiet gap; a day of event time is plenty to remember it was handled.
    this.handled = new KeyedState<HandledIncident>({ maxKeys: config.maxTrackedIps, ttlMs: 86_400_000 });
  }

  handle(incident: Incident, now: number): ResponseResult {
    const result: ResponseResult = { decisions: [], actions: [] };
    const seen = this.handled.get(incident.id);
    if (seen !== undefined && rank(incident.level) <= rank(seen.level)) return result;
    const handled = this.handled.touch(incident.id, () => ({ lastSeen: now, level: incident.level, previousBans: undefined }));
    handled.level = incident.level;
    if (now > handled.lastSeen) handled.lastSeen = now;

    const config = this.deps.config;
    switch (incident.level) {
      case 'CRITICAL':
        result.actions.push({ type: 'alert', level: 'CRITICAL', incidentId: incident.id });
        for (const change of this.deps.protection.recordCritical(incident.id, now)) {
          result.actions.push({ type: 'protection_mode', change });
        }
        this.block(incident, handled, config.criticalBlockSeconds, now, result);
        break;
      case 'HIGH':
        this.block(incident, handled, config.highBlockSeconds, now, result);
        break;
      case 'MEDIUM': {
        const violations = incident.subject.scope === 'ip' ? this.deps.history.count(incident.subject.value, now) : 0;
        if (violations > config.mediumMinViolations) {
          this.block(incident, handled, config.mediumBlockSeconds, now, result);
        } else {
          result.actions.push({
            type: 'skipped',
            reason: 'below_violation_threshold',
            detail: `MEDIUM incident, ${violations} violations from the source (a block needs more than ${config.mediumMinViolations})`,
          });
          result.actions.push({ type: 'digest', level: 'MEDIUM', incidentId: incident.id });
        }
        break;
      }
      case 'LOW':
        result.actions.push({ type: 'digest', level: 'LOW', incidentId: incident.id });
        break;
    }
    return result;
  }

  /** Bans of `ip` within banMemoryDays before `now` (real or simulated ones, counted apart). */
  previousBans(ip: string, now: number, simulated = this.deps.config.simulation): number {
    const record = this.bans.get(banKey(ip, simulated));
    if (record === undefined) return 0;
    const from = now - this.banMemoryMs;
    return record.times.filter((t) => t > from && t <= now).length;
  }

  /** Block duration in seconds for a base duration after `previousBans` bans. */
  escalatedSeconds(baseSeconds: number, previousBans: number): number {
    const config = this.deps.config;
    return Math.min(config.maxBlockSeconds, Math.round(baseSeconds * config.escalationFactor ** previousBans));
  }

  /** Forget bans older than banMemoryDays and incidents handled over a day ago. */
  sweep(now: number): void {
    this.bans.sweep(now);
    this.handled.sweep(now);
  }

  private block(incident: Incident, handled: HandledIncident, baseSeconds: number, now: number, result: ResponseResult): void {
    const config = this.deps.config;
    if (incident.subject.scope !== 'ip') {
      result.actions.push({ type: 'skipped', reason: 'no_ip', detail: `incident about user ${incident.subject.value} has no IP to block` });
      return;
    }
    if (!config.autoBlock) {
      result.actions.push({ type: 'skipped', reason: 'auto_block_disabled', detail: 'automatic blocking is switched off' });
      return;
    }
    const ip = incident.subject.value;
    const simulated = config.simulation;
    const previousBans = handled.previousBans ?? this.previousBans(ip, now, simulated);
    const seconds = this.escalatedSeconds(baseSeconds, previousBans);
    const types = [...new Set(incident.detections.map((d) => d.type))];
    const outcome = this.deps.decisions.add(
      {
        // The subject may be a range (password spraying from one /24): the store infers ip or range.
        value: ip,
        action: 'block',
        durationMs: seconds * 1000,
        reason: `${incident.level} incident ${incident.id}: ${types.join(', ') || 'unknown'}`,
        origin: incident.detections[0]?.detector ?? 'vigil',
        simulated,
      },
      now,
    );
    if (outcome.status === 'allowlisted') {
      result.actions.push({ type: 'skipped', reason: 'allowlisted', detail: `${ip} is allowlisted (${outcome.allowlisted.value})` });
      return;
    }
    if (outcome.status === 'unchanged') {
      result.actions.push({
        type: 'skipped',
        reason: 'already_blocked',
        detail: `${ip} already has decision ${outcome.decision.id} lasting as long or longer`,
      });
      return;
    }
    if (handled.previousBans === undefined) {
      handled.previousBans = previousBans;
      const record = this.bans.touch(banKey(ip, simulated), () => ({ lastSeen: now, times: [] }));
      if (now > record.lastSeen) record.lastSeen = now;
      record.times.push(now);
      if (record.times.length > MAX_BAN_TIMES) record.times.shift();
    }
    result.decisions.push(outcome.decision);
    result.actions.push({ type: 'block', decision: outcome.decision, durationSeconds: seconds, previousBans });
  }
}

function banKey(ip: string, simulated: boolean): string {
  return simulated ? `simulated|${ip}` : ip;
}
