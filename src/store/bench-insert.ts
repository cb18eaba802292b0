import type { SecurityEvent } from '../core/event.js';
import { IdGenerator } from '../core/ids.js';
import { EventWriter } from './event-writer.js';
import type { Store } from './store.js';

/** A plausible mix: 60 % failed logins, 20 % successful, 20 % web requests. */
export function benchEvents(n: number, start = Date.now(), tag = 'bench'): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  const ids = new IdGenerator(tag); // ids as ingestion assigns them
  for (let i = 0; i < n; i++) {
    const r = i % 5;
    const kind = r < 3 ? 'login.failure' : r === 3 ? 'login.success' : 'http.request';
    events.push({
      id: ids.next(),
      timestamp: start + i,
      kind,
      sourceIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      username: `user${i % 997}`,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
      reason: kind === 'login.failure' ? 'INVALID_PASSWORD' : undefined,
      http: kind === 'http.request' ? { method: 'GET', path: `/item/${i}`, status: 200 } : undefined,
      labels: { source: 'bench' },
    });
  }
  return events;
}

export interface InsertRate {
  /** Events per wall-clock second. */
  perSecond: number;
  /**
   * Events per second of this process's CPU time (user + system; SQLite runs
   * in-process). On a machine shared with other work this is the steadier
   * figure; for a database server it leaves out the server's own work.
   */
  perCpuSecond: number;
}

/**
 * Inserts `n` events through an EventWriter (batched transactions, as in
 * production). Prints nothing; `npm run bench` does.
 */
export async function benchInsert(store: Store, n: number, tag = 'bench'): Promise<InsertRate> {
  const events = benchEvents(n, Date.now(), tag);
  const writer = new EventWriter(store);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const chunk = 500; // the pipeline hands over batches of this order
  for (let i = 0; i < events.length; i += chunk) {
    while (!writer.append(events.slice(i, i + chunk))) await writer.flush();
  }
  await writer.flush();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await writer.close();
  return { perSecond: n / seconds, perCpuSecond: n / ((used.user + used.system) / 1e6) };
}
