import type { Ioc } from './ioc.js';
import type { IocStatistics } from './ioc-repository.js';

export const RECENT_WINDOW_MS = 86_400_000;
const LATEST = 10;

function top(counts: Map<string, number>, limit: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit)) out[key] = n;
  return out;
}

/**
 * The statistics the store computes in SQL (IocRepository.statistics),
 * computed over indicators in memory: for a service running without the store.
 */
export function iocStatistics(iocs: Iterable<Ioc>, now: number, recentWindowMs = RECENT_WINDOW_MS): IocStatistics {
  const byType = new Map<string, number>();
  const byThreatType = new Map<string, number>();
  const bySource = new Map<string, number>();
  const since = now - recentWindowMs;
  const recent: Ioc[] = [];
  let total = 0;
  for (const ioc of iocs) {
    total++;
    byType.set(ioc.type, (byType.get(ioc.type) ?? 0) + 1);
    byThreatType.set(ioc.threatType, (byThreatType.get(ioc.threatType) ?? 0) + 1);
    bySource.set(ioc.source, (bySource.get(ioc.source) ?? 0) + 1);
    if (ioc.firstSeen >= since) recent.push(ioc);
  }
  recent.sort((a, b) => b.firstSeen - a.firstSeen);
  return {
    total,
    byType: top(byType, 100),
    byThreatType: top(byThreatType, 50),
    bySource: top(bySource, 50),
    recent: { windowMs: recentWindowMs, count: recent.length, latest: recent.slice(0, LATEST) },
  };
}
