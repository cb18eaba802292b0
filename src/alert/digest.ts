import type { Alert } from './alert.js';
import { subjectText } from './alert.js';
import { trimTrailingSlashes } from '../core/trim-trailing-slashes.js';

export interface DigestSummary {
  /** Epoch ms: first alert counted and the time of the flush. */
  from: number;
  to: number;
  total: number;
  byType: { type: string; count: number }[];
  topSources: { source: string; count: number }[];
}

const MAX_KEYS = 10_000;
const OTHER = '(other)';

/**
 * LOW alerts are not sent one by one: they are counted here and summarised
 * once per interval (counts by type, top sources). Pure: the caller passes
 * time and decides when to flush. Memory is bounded (distinct types and
 * sources beyond 10,000 are counted as "(other)").
 */
export class AlertDigest {
  private byType = new Map<string, number>();
  private bySource = new Map<string, number>();
  private total = 0;
  private first: number | undefined;

  constructor(private readonly topSources: number) {}

  add(alert: Alert, now: number): void {
    this.total++;
    if (this.first === undefined) this.first = now;
    bump(this.byType, alert.type);
    bump(this.bySource, subjectText(alert.subject));
  }

  get size(): number {
    return this.total;
  }

  /** The summary of everything added since the last flush, or undefined when nothing was. */
  flush(now: number): DigestSummary | undefined {
    if (this.total === 0) return undefined;
    const summary: DigestSummary = {
      from: this.first ?? now,
      to: now,
      total: this.total,
      byType: sorted(this.byType).map(([type, count]) => ({ type, count })),
      topSources: sorted(this.bySource)
        .slice(0, this.topSources)
        .map(([source, count]) => ({ source, count })),
    };
    this.byType = new Map();
    this.bySource = new Map();
    this.total = 0;
    this.first = undefined;
    return summary;
  }
}

function bump(map: Map<string, number>, key: string): void {
  const k = map.has(key) || map.size < MAX_KEYS ? key : OTHER;
  map.set(k, (map.get(k) ?? 0) + 1);
}

/** Most first; ties by name, so the digest reads the same every time. */
function sorted(map: Map<string, number>): [string, number][] {
  return [...map.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The digest as one alert (kind digest) for the channels. */
export function digestAlert(id: string, summary: DigestSummary, dashboardUrl: string): Alert {
  const types = summary.byType.map((t) => `${t.type}: ${t.count}`).join(', ');
  const sources = summary.topSources.map((s) => `${s.source} (${s.count})`).join(', ');
  const minutes = Math.max(1, Math.round((summary.to - summary.from) / 60_000));
  const alert: Alert = {
    id,
    revision: 1,
    kind: 'digest',
    status: 'firing',
    level: 'LOW',
    type: 'digest',
    summary: `Digest: ${summary.total} LOW alert${summary.total === 1 ? '' : 's'} in the last ${minutes} min`,
    description: `By type: ${types}. Top sources: ${sources}.`,
    confidence: 1,
    eventCount: summary.total,
    occurrences: summary.total,
    evidence: { detectors: [], usernames: [], sourceIps: summary.topSources.map((s) => s.source), reasons: [] },
    startsAt: summary.from,
    updatedAt: summary.to,
    labels: { level: 'LOW', type: 'digest', scope: 'digest', detector: 'digest' },
  };
  const base = trimTrailingSlashes(dashboardUrl);
  if (base !== '') alert.url = `${base}/api/v1/alerts?level=LOW`;
  return alert;
}
