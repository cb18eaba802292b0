import { isAbsolute, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { FeedConfig } from './config.js';
import { describeUrl, fetchFeed, type FeedValidators } from './feed-fetcher.js';
import { FeedFormatError } from './feed-format.js';
import { parseFeedDocument } from './feed-parser.js';
import type { ImportReport, IocManager } from './ioc-manager.js';

export interface FeedStats {
  name: string;
  format: FeedConfig['format'];
  /** Fetches that brought a document (imported). */
  successes: number;
  /** Conditional fetches answered "not modified" (304, or an unchanged file). */
  notModified: number;
  /** Fetches, reads or parses that failed (the stored indicators stay). */
  failures: number;
  lastSuccessAt?: number;
  lastAttemptAt?: number;
  lastError?: string;
  /** Of the last imported document. */
  lastImport?: Omit<ImportReport, 'invalidSamples'> & { unsupported: number };
}

export type FeedOutcome = 'success' | 'not_modified' | 'failure';

const META_PREFIX = 'ioc_feed:';

/**
 * Fetches each enabled feed at start and then every intervalSeconds, with
 * HTTP caching (ETag / Last-Modified, kept in the store so a restart
 * revalidates instead of downloading again). A failed fetch or a document
 * that does not parse changes nothing stored: the error is counted and
 * logged and the next run tries again. Entries are refreshed (their expiry
 * pushed forward) by every full import; so that expiry never outruns a feed
 * that keeps answering 304, a full fetch is forced once half the TTL has
 * passed since the last import.
 */
export class FeedScheduler {
  readonly stats = new Map<string, FeedStats>();
  private readonly validators = new Map<string, FeedValidators>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<FeedOutcome>>();
  private stopped = false;

  constructor(
    private readonly feeds: readonly FeedConfig[],
    private readonly manager: IocManager,
    private readonly options: { dataDir: string; now: () => number; logger?: Logger; maxEntriesPerFeed: number },
  ) {
    for (const feed of feeds) {
      if (feed.url === undefined && feed.path === undefined) throw new FeedFormatError(`intel.feeds ${feed.name}: give url or path`);
      if (feed.url !== undefined && feed.path !== undefined) throw new FeedFormatError(`intel.feeds ${feed.name}: give url or path, not both`);
      this.stats.set(feed.name, { name: feed.name, format: feed.format, successes: 0, notModified: 0, failures: 0 });
    }
  }

  /** Run every enabled feed now, then on its interval. */
  async start(): Promise<void> {
    for (const feed of this.feeds) {
      if (!feed.enabled) continue;
      const saved = await this.manager.repository?.readMeta(META_PREFIX + feed.name).catch(() => undefined);
      if (saved !== undefined && typeof saved === 'object' && saved !== null) {
        const { validators, lastSuccessAt } = saved as { validators?: FeedValidators; lastSuccessAt?: number };
        if (validators !== undefined) this.validators.set(feed.name, validators);
        if (typeof lastSuccessAt === 'number') (this.stats.get(feed.name) as FeedStats).lastSuccessAt = lastSuccessAt;
      }
      // The first run starts now (idle() waits for it); the next ones on the interval.
      void this.runOnce(feed.name).then(() => this.schedule(feed, feed.intervalSeconds * 1000));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Wait for runs in progress (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  /** Fetch one feed now (also what the timer calls). Never throws. */
  runOnce(name: string): Promise<FeedOutcome> {
    const current = this.running.get(name);
    if (current !== undefined) return current;
    const feed = this.feeds.find((f) => f.name === name);
    if (feed === undefined) return Promise.reject(new Error(`no feed named ${name}`));
    const run = this.fetchAndImport(feed).finally(() => this.running.delete(name));
    this.running.set(name, run);
    return run;
  }

  private schedule(feed: FeedConfig, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      void this.runOnce(feed.name).then(() => this.schedule(feed, feed.intervalSeconds * 1000));
    }, delayMs);
    timer.unref();
    this.timers.set(feed.name, timer);
  }

  private async fetchAndImport(feed: FeedConfig): Promise<FeedOutcome> {
    const stats = this.stats.get(feed.name) as FeedStats;
    const now = this.options.now();
    stats.lastAttemptAt = now;
    const logger = this.options.logger?.child({ feed: feed.name });
    const ttlMs = feed.ttlDays * 86_400_000;
    const stale = ttlMs > 0 && stats.lastSuccessAt !== undefined && now - stats.lastSuccessAt > ttlMs / 2;
    try {
      const result = await fetchFeed(
        {
          url: feed.url,
          path: feed.path === undefined ? undefined : isAbsolute(feed.path) ? feed.path : resolve(this.options.dataDir, feed.path),
          headers: feed.headers,
          timeoutMs: feed.timeoutSeconds * 1000,
          maxBytes: feed.maxBytes,
        },
        stale || stats.lastSuccessAt === undefined ? undefined : this.validators.get(feed.name),
      );
      if (result.status === 'not_modified') {
        stats.notModified++;
        logger?.debug('ioc feed not modified');
        return 'not_modified';
      }
      const doc = parseFeedDocument(feed, result.text);
      if (doc.entries.length > this.options.maxEntriesPerFeed) {
        throw new FeedFormatError(`${doc.entries.length} entries, more than intel.maxEntriesPerFeed ${this.options.maxEntriesPerFeed}`);
      }
      const report = await this.manager.import(doc.entries, {
        threatType: feed.threatType,
        confidence: feed.confidence,
        source: feed.name,
        ttlMs,
        tags: feed.tags,
      });
      const { invalidSamples, ...counts } = report;
      stats.successes++;
      stats.lastSuccessAt = now;
      stats.lastImport = { ...counts, unsupported: doc.unsupported };
      delete stats.lastError;
      this.validators.set(feed.name, result.validators);
      await this.manager.repository?.writeMeta(META_PREFIX + feed.name, { validators: result.validators, lastSuccessAt: now }).catch((err: unknown) => {
        logger?.warn({ err: (err as Error).message }, 'ioc feed: could not save its HTTP validators');
      });
      logger?.info(
        { bytes: result.bytes, ...counts, unsupported: doc.unsupported, ...(invalidSamples.length > 0 && { invalidSamples }), ...(doc.notes.length > 0 && { notes: doc.notes }) },
        'ioc feed imported',
      );
      return 'success';
    } catch (err) {
      stats.failures++;
      stats.lastError = (err as Error).message;
      logger?.warn(
        { err: (err as Error).message, source: feed.url !== undefined ? describeUrl(feed.url) : feed.path, failures: stats.failures },
        'ioc feed failed; stored indicators unchanged',
      );
      return 'failure';
    }
  }
}
