import { rank, type ThreatLevel } from '../core/threat-level.js';

export type GroupDecision =
  /** Nothing like it recently: send a new alert. */
  | { action: 'new' }
  /** Same (type, subject) within the window at a higher level: send the alert again, one revision up. */
  | { action: 'escalate'; alertId: string; revision: number }
  /** Same (type, subject) within the window, not higher: update the alert, send nothing. */
  | { action: 'grouped'; alertId: string };

interface Group {
  alertId: string;
  level: ThreatLevel;
  revision: number;
  /** When the alert was last sent: the window counts from here, so a long attack re-alerts once per window. */
  sentAt: number;
}

/**
 * Quiet grouping: alerts are keyed by (type, subject); within `windowMs` of
 * the last send the same key updates the alert already sent instead of
 * sending another. Pure and clock-injected: time is passed in. Memory is
 * bounded: past `maxGroups` the least recently sent group is forgotten.
 */
export class AlertGrouper {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly windowMs: number,
    private readonly maxGroups = 50_000,
  ) {}

  static key(type: string, subject: { scope: string; value: string } | undefined): string {
    return `${type}|${subject?.scope ?? '-'}|${subject?.value ?? '-'}`;
  }

  decide(key: string, level: ThreatLevel, now: number): GroupDecision {
    const group = this.groups.get(key);
    if (group === undefined || now - group.sentAt > this.windowMs) return { action: 'new' };
    if (rank(level) > rank(group.level)) return { action: 'escalate', alertId: group.alertId, revision: group.revision + 1 };
    return { action: 'grouped', alertId: group.alertId };
  }

  /** Record that an alert for `key` was sent at `now` (new or escalated). */
  sent(key: string, alertId: string, level: ThreatLevel, revision: number, now: number): void {
    this.groups.delete(key);
    this.groups.set(key, { alertId, level, revision, sentAt: now });
    while (this.groups.size > this.maxGroups) {
      const oldest = this.groups.keys().next();
      if (oldest.done) break;
      this.groups.delete(oldest.value);
    }
  }

  /** The alert of a key whose group is over (resolved): a new occurrence starts a new alert. */
  forget(key: string): void {
    this.groups.delete(key);
  }

  get size(): number {
    return this.groups.size;
  }
}
