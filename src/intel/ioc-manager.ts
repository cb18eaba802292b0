import type { Logger } from 'pino';
import { InvalidIocError, type IocType } from './ioc-type.js';
import { mergeIoc, normalizeIoc, sameIoc, type Ioc, type IocDefaults, type IocInput } from './ioc.js';
import { IOC_CURSOR_START, type IocCursor, type IocRepository, type IocStatistics } from './ioc-repository.js';
import { IocMatcher, type MatchKind } from './matcher.js';
import { iocStatistics } from './statistics.js';

export interface ImportReport {
  received: number;
  valid: number;
  invalid: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** A few invalid values with the reason, for the log and the CLI. */
  invalidSamples: string[];
}

export interface CheckResult {
  value: string;
  /** The detected type; absent when the value is no indicator at all. */
  type?: IocType;
  match: (Ioc & { matchedBy: MatchKind }) | null;
  error?: string;
}

export interface IocManagerStats {
  /** Indicators written (inserted or updated) by this process. */
  imported: number;
  invalid: number;
  expired: number;
  syncErrors: number;
}

const UPSERT_CHUNK = 5000;
const SYNC_PAGE = 10_000;
const MAX_INVALID_SAMPLES = 5;

/**
 * Indicators: the store (source of truth, shared by instances and the CLI)
 * and the in-memory matcher the hot path reads. Imports write the store and
 * update the matcher with what changed; `sync` picks up rows others wrote
 * (change stream on updated_at); `expire` deletes expired rows from both.
 * Without a store the matcher alone holds them (same merge rule).
 */
export class IocManager {
  readonly matcher: IocMatcher;
  readonly stats: IocManagerStats = { imported: 0, invalid: 0, expired: 0, syncErrors: 0 };
  private cursor: IocCursor = IOC_CURSOR_START;

  constructor(
    readonly repository: IocRepository | undefined,
    private readonly options: { now: () => number; logger?: Logger; matcher?: IocMatcher },
  ) {
    this.matcher = options.matcher ?? new IocMatcher();
  }

  /** Everything stored (not expired) into the matcher; then `sync` continues from there. */
  async load(): Promise<number> {
    this.cursor = IOC_CURSOR_START;
    return this.sync();
  }

  /** Apply rows written since the last sync (or load); returns how many were applied. */
  async sync(): Promise<number> {
    const repository = this.repository;
    if (repository === undefined) return 0;
    const now = this.options.now();
    let applied = 0;
    for (;;) {
      const { iocs, cursor } = await repository.changedSince(this.cursor, SYNC_PAGE);
      for (const ioc of iocs) {
        if (ioc.expiresAt !== null && ioc.expiresAt <= now) this.matcher.delete(ioc.type, ioc.value);
        else this.matcher.set(ioc);
      }
      applied += iocs.length;
      this.cursor = cursor;
      if (iocs.length < SYNC_PAGE) return applied;
    }
  }

  /** Validate, complete with `defaults`, upsert and match from now on. Invalid values are counted, never fatal. */
  async import(inputs: Iterable<IocInput>, defaults: IocDefaults): Promise<ImportReport> {
    const report: ImportReport = { received: 0, valid: 0, invalid: 0, inserted: 0, updated: 0, unchanged: 0, invalidSamples: [] };
    const now = this.options.now();
    let batch: Ioc[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const chunk = batch;
      batch = [];
      await this.upsert(chunk, report);
    };
    for (const input of inputs) {
      report.received++;
      try {
        batch.push(normalizeIoc(input, defaults, now));
        report.valid++;
      } catch (err) {
        report.invalid++;
        if (report.invalidSamples.length < MAX_INVALID_SAMPLES) {
          report.invalidSamples.push(err instanceof InvalidIocError ? err.message : `${String(input?.value)}: ${(err as Error).message}`);
        }
      }
      if (batch.length >= UPSERT_CHUNK) await flush();
    }
    await flush();
    this.stats.imported += report.inserted + report.updated;
    this.stats.invalid += report.invalid;
    return report;
  }

  private async upsert(iocs: Ioc[], report: ImportReport): Promise<void> {
    if (this.repository !== undefined) {
      const result = await this.repository.upsert(iocs);
      report.inserted += result.inserted;
      report.updated += result.updated;
      report.unchanged += result.unchanged;
      for (const ioc of result.changed) this.matcher.set(ioc);
      return;
    }
    for (const ioc of iocs) {
      const old = this.matcher.get(ioc.type, ioc.value);
      const merged = old === undefined ? ioc : mergeIoc(old, ioc);
      if (old !== undefined && sameIoc(old, merged)) {
        report.unchanged++;
        continue;
      }
      if (old === undefined) report.inserted++;
      else report.updated++;
      this.matcher.set(merged);
    }
  }

  /** Delete expired indicators from the store and the matcher; returns how many. */
  async expire(now: number = this.options.now()): Promise<number> {
    let count = 0;
    if (this.repository !== undefined) {
      const expired = await this.repository.expire(now);
      for (const ioc of expired) this.matcher.delete(ioc.type, ioc.value);
      count += expired.length;
    }
    count += this.matcher.expire(now).length;
    this.stats.expired += count;
    if (count > 0) this.options.logger?.info({ expired: count }, 'ioc: expired indicators removed');
    return count;
  }

  /** Look values up the way events are matched (bulk API and CLI). */
  check(values: readonly string[]): CheckResult[] {
    return values.map((value) => {
      if (typeof value !== 'string') return { value: String(value), match: null, error: 'not a string' };
      try {
        const { type, match } = this.matcher.check(value);
        if (type === undefined) return { value, match: null, error: 'not an IP, CIDR, domain, URL, email or hash' };
        return { value, type, match: match === undefined ? null : { ...match.ioc, matchedBy: match.kind } };
      } catch (err) {
        return { value, match: null, error: (err as Error).message };
      }
    });
  }

  async statistics(): Promise<IocStatistics> {
    return this.repository !== undefined ? this.repository.statistics(this.options.now()) : iocStatistics(this.matcher.all(), this.options.now());
  }

  /** One sync, logged and counted on failure instead of thrown (timers). */
  async syncQuietly(): Promise<void> {
    try {
      await this.sync();
    } catch (err) {
      this.stats.syncErrors++;
      this.options.logger?.warn({ err: (err as Error).message }, 'ioc: sync from the store failed (retried)');
    }
  }
}
