import { Type, type Static } from '@sinclair/typebox';

export const protectionModeConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Let critical incidents switch protection mode on automatically (it can always be forced on or off).',
    }),
    criticalThreshold: Type.Integer({
      minimum: 0,
      default: 5,
      description: 'More than this many critical incidents within windowSeconds switch protection mode on.',
    }),
    windowSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 3600,
      description: 'Event-time window in which the critical incidents are counted.',
    }),
    durationSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 1800,
      description: 'Protection mode switches itself off this long after it was switched on (each further critical incident while the threshold is still exceeded re-arms it).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type ProtectionModeConfig = Static<typeof protectionModeConfigSchema>;

export interface ProtectionState {
  active: boolean;
  /** Event time it was switched on. */
  since: number | undefined;
  /** Event time it switches itself off; undefined while off or when forced on without an end. */
  until: number | undefined;
  /** What switched it on: the automatic rule or an operator. */
  trigger: 'auto' | 'manual' | undefined;
  reason: string;
}

export interface ProtectionChange {
  active: boolean;
  at: number;
  /** auto: the critical-incident rule; manual: forced; expired: its time ran out. */
  trigger: 'auto' | 'manual' | 'expired';
  reason: string;
  until: number | undefined;
}

interface CriticalMark {
  incidentId: string;
  at: number;
}

/**
 * System-wide protection mode (stricter limits, blocking at lower levels —
 * what it changes is up to the enforcement points). Switched on when more
 * than `criticalThreshold` distinct critical incidents fall within the
 * window, off again `durationSeconds` later, all in event time; an operator
 * can force it on (optionally for a while) or off. Only the last
 * threshold+1 critical incidents are remembered: that is all the rule needs.
 */
export class ProtectionMode {
  private readonly windowMs: number;
  private readonly durationMs: number;
  private marks: CriticalMark[] = [];
  private current: ProtectionState = { active: false, since: undefined, until: undefined, trigger: undefined, reason: '' };

  constructor(
    private readonly config: ProtectionModeConfig,
    private readonly onChange?: (change: ProtectionChange) => void,
  ) {
    this.windowMs = config.windowSeconds * 1000;
    this.durationMs = config.durationSeconds * 1000;
  }

  /**
   * A critical incident at event time `at` (the same incident counts once).
   * Returns the changes it caused: possibly the end of an expired period,
   * then the switch on.
   */
  recordCritical(incidentId: string, at: number): ProtectionChange[] {
    const changes: ProtectionChange[] = [];
    const expired = this.update(at);
    if (expired !== undefined) changes.push(expired);
    if (this.marks.some((mark) => mark.incidentId === incidentId)) return changes;
    this.marks.push({ incidentId, at });
    this.marks.sort((a, b) => a.at - b.at);
    const keep = this.config.criticalThreshold + 1;
    if (this.marks.length > keep) this.marks = this.marks.slice(this.marks.length - keep);
    if (!this.config.enabled) return changes;
    const from = at - this.windowMs;
    const inWindow = this.marks.filter((mark) => mark.at > from && mark.at <= at).length;
    if (inWindow <= this.config.criticalThreshold) return changes;
    const reason = `${inWindow} critical incidents within ${this.config.windowSeconds} s (more than ${this.config.criticalThreshold})`;
    const until = at + this.durationMs;
    if (this.current.active) {
      // Re-arm an automatic period; a manual one is the operator's to end.
      if (this.current.trigger === 'auto' && this.current.until !== undefined && until > this.current.until) {
        this.current.until = until;
        this.current.reason = reason;
      }
      return changes;
    }
    changes.push(this.switchOn(at, until, 'auto', reason));
    return changes;
  }

  /** Let event time pass: switch off when the period is over. */
  update(now: number): ProtectionChange | undefined {
    const state = this.current;
    if (!state.active || state.until === undefined || now < state.until) return undefined;
    return this.switchOff(state.until, 'expired', 'protection period ended');
  }

  /** Force it on (until `now + durationMs`, or until forced off when no duration is given). */
  forceOn(now: number, durationMs?: number, reason = 'forced on by an operator'): ProtectionChange {
    const until = durationMs === undefined ? undefined : now + durationMs;
    if (this.current.active) {
      this.current = { ...this.current, until, trigger: 'manual', reason };
      const change: ProtectionChange = { active: true, at: now, trigger: 'manual', reason, until };
      this.onChange?.(change);
      return change;
    }
    return this.switchOn(now, until, 'manual', reason);
  }

  /** Force it off; the critical incidents counted so far are forgotten so it does not switch straight back on. */
  forceOff(now: number, reason = 'forced off by an operator'): ProtectionChange | undefined {
    this.marks = [];
    if (!this.current.active) return undefined;
    return this.switchOff(now, 'manual', reason);
  }

  state(now: number): ProtectionState {
    this.update(now);
    return { ...this.current };
  }

  isActive(now: number): boolean {
    return this.state(now).active;
  }

  private switchOn(at: number, until: number | undefined, trigger: 'auto' | 'manual', reason: string): ProtectionChange {
    this.current = { active: true, since: at, until, trigger, reason };
    const change: ProtectionChange = { active: true, at, trigger, reason, until };
    this.onChange?.(change);
    return change;
  }

  private switchOff(at: number, trigger: 'manual' | 'expired', reason: string): ProtectionChange {
    this.current = { active: false, since: undefined, until: undefined, trigger: undefined, reason };
    const change: ProtectionChange = { active: false, at, trigger, reason, until: undefined };
    this.onChange?.(change);
    return change;
  }
}
