import Table from 'cli-table3';
import type { VigilConfig } from '../core/config.js';
import type { SecurityEvent } from '../core/event.js';
import { canonicalIp } from '../core/ip.js';
import { isThreatLevel } from '../core/threat-level.js';
import { parseTimestamp } from '../core/time.js';
import { csvRecord, EVENT_CSV_COLUMNS, MAX_PAGE_SIZE, queryEvents, type EventQuery } from '../store/index.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './input.js';
import { withStore } from './store-access.js';

export interface EventsQueryOptions {
  since?: string;
  until?: string;
  ip?: string;
  user?: string;
  type?: string;
  level?: string;
  limit: string;
  format: 'table' | 'ndjson' | 'csv';
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** ISO-8601, epoch ms, or an age: `15m`, `24h`, `7d` (before now). */
export function parseTimeOption(text: string, name: string, now: number): number {
  const age = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  if (age !== null) return now - Number(age[1]) * (UNIT_MS[age[2] as string] as number);
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const ms = parseTimestamp(text.trim());
  if (Number.isNaN(ms)) throw new UsageError(`--${name} ${JSON.stringify(text)}: expected ISO-8601, epoch ms, or an age like 15m, 24h, 7d`);
  return ms;
}

/** `vigil events query`: stored events, newest first, from the configured store. */
export async function runEventsQuery(config: VigilConfig, options: EventsQueryOptions): Promise<number> {
  const now = Date.now();
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${options.limit}: expected a positive integer`);
  if (options.level !== undefined && !isThreatLevel(options.level.toUpperCase())) throw new UsageError(`--level ${options.level}: expected LOW, MEDIUM, HIGH or CRITICAL`);
  const query: EventQuery = {
    from: options.since === undefined ? undefined : parseTimeOption(options.since, 'since', now),
    to: options.until === undefined ? undefined : parseTimeOption(options.until, 'until', now),
    ip: options.ip === undefined ? undefined : (canonicalIp(options.ip) ?? options.ip),
    user: options.user,
    type: options.type,
    level: options.level === undefined ? undefined : (options.level.toUpperCase() as EventQuery['level']),
  };
  const out = process.stdout;
  const collected: SecurityEvent[] = [];
  if (options.format === 'csv') out.write(csvRecord(EVENT_CSV_COLUMNS.map((c) => c.header), { escapeFormulas: false }));
  await withStore(config, async (store) => {
    let remaining = limit;
    let cursor: string | undefined;
    while (remaining > 0) {
      const page = await queryEvents(store, { ...query, cursor, limit: Math.min(remaining, MAX_PAGE_SIZE) });
      remaining -= page.items.length;
      if (options.format === 'ndjson') out.write(page.items.map((e) => JSON.stringify(e) + '\n').join(''));
      else if (options.format === 'csv') out.write(page.items.map((e) => csvRecord(EVENT_CSV_COLUMNS.map((c) => c.value(e)))).join(''));
      else collected.push(...page.items);
      if (page.nextCursor === undefined || page.items.length === 0) break;
      cursor = page.nextCursor;
    }
  });
  if (options.format === 'table') {
    const table = new Table({ head: ['time', 'kind', 'source ip', 'user', 'detail'], style: { head: [], border: [] } });
    for (const e of collected) {
      table.push([new Date(e.timestamp).toISOString(), e.kind, e.sourceIp, e.username ?? '', e.reason ?? e.violationType ?? (e.http ? `${e.http.method} ${e.http.path} ${e.http.status ?? ''}` : '')]);
    }
    out.write(table.toString() + '\n');
    process.stderr.write(`${collected.length} event(s)\n`);
  }
  return EXIT.OK;
}
