import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SecurityEvent } from '../core/event.js';
import type { DetectionRecord, DetectionSink } from '../sinks/sink.js';
import { StoreBacklogFullError } from './errors.js';
import type { StoreItem } from './rows.js';
import { Spool } from './spool.js';
import type { PreparedBatch, Store } from './store.js';
import { isTransientError } from './transient-error.js';

export interface EventWriterStats {
  /** Rows accepted and waiting in memory. */
  pendingRows: number;
  /** Backlog on disk while (or since) the database was unreachable. */
  spooledRows: number;
  spooledBytes: number;
  spoolSegments: number;
  /** Rows written to the database (duplicates skipped by the database included). */
  writtenRows: number;
  /** Batches (and their rows) refused because memory or the spool was full: the caller answered 503. */
  refusedBatches: number;
  refusedRows: number;
  /** Write attempts that failed with a transient error. */
  failedWrites: number;
  /** Rows the database rejected as invalid, kept in spool/store/rejected.ndjson. */
  deadLetterRows: number;
  databaseUp: boolean;
  lastError: string | undefined;
}

export interface EventWriterOptions {
  logger?: Logger;
  /** Defaults to `<dataDir>/spool/store`. */
  spoolDir?: string;
  /**
   * Told how many events (counted in `append` order) are durable — in the
   * database, the spool or the dead-letter file — so the ingest journal can
   * drop them. Stops advancing once an event had to be refused: from then on
   * the journal keeps everything for the next start.
   */
  onSettled?: (events: number) => void;
}

/**
 * Batched, off-the-hot-path writer. `append` is synchronous and never waits
 * for the database: rows are written in one transaction per batch (`batchSize`
 * rows or every `flushIntervalMs`). When the database is unreachable, batches
 * go to a bounded on-disk spool and are written, oldest first, once a retry
 * (with exponential backoff) succeeds. Writes are idempotent (event ids are
 * keys), so a batch replayed after a crash is not duplicated.
 */
export class EventWriter {
  private pending: StoreItem[] = [];
  private readonly spool: Spool<StoreItem>;
  private flushTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private running: Promise<void> | undefined;
  private rerun = false;
  private up = true;
  /** A retry is trying the database while it is still counted as down (ingestion keeps refusing meanwhile). */
  private probing = false;
  /** The last batch did not fit in the spool: refuse more until it does or the database is back. */
  private spoolBlocked = false;
  private closed = false;
  private readonly counters = { writtenRows: 0, refusedBatches: 0, refusedRows: 0, failedWrites: 0, deadLetterRows: 0 };
  private lastError: string | undefined;
  private readonly logger: Logger | undefined;
  /** Events durable so far, in append order (see EventWriterOptions.onSettled). */
  private settledEvents = 0;
  private settleFrozen = false;
  private readonly onSettled: ((events: number) => void) | undefined;

  constructor(
    private readonly store: Store,
    options: EventWriterOptions = {},
  ) {
    this.logger = options.logger;
    this.onSettled = options.onSettled;
    this.retryDelay = store.config.spool.retryMinMs;
    this.spool = new Spool<StoreItem>(options.spoolDir ?? join(store.dataDir, 'spool', 'store'), store.config.spool);
    if (this.spool.segmentCount > 0) {
      this.logger?.info({ rows: this.spool.rows, bytes: this.spool.bytes }, 'store: writing the spool left by the previous run');
      this.kick();
    }
  }

  /** Queues events; false when refused (memory or spool full) — the caller answers 503. */
  append(events: readonly SecurityEvent[]): boolean {
    if (events.length === 0) return true;
    if (this.pending.length + events.length > this.store.config.maxPendingRows) return this.refuseEvents(events.length);
    // Events reaching the writer were already acknowledged: they wait in memory (bounded by
    // maxPendingRows) even when the spool is full; ingestion stops earlier (refusing() → 503).
    return this.accept(
      events.map((v) => ({ k: 'e', v })),
      false,
    );
  }

  /**
   * True while new events would be refused: the database is down and the
   * spool is full, or the in-memory backlog is at maxPendingRows. Ingestion
   * answers 503 then, before accepting anything.
   */
  refusing(): boolean {
    return (!this.up && (this.spoolBlocked || this.spool.isFull())) || this.pending.length >= this.store.config.maxPendingRows;
  }

  private refuseEvents(rows: number): false {
    if (!this.settleFrozen) {
      this.settleFrozen = true;
      this.logger?.error('store: events refused (backlog full); the ingest journal keeps them for the next start');
    }
    return rows > 0 ? this.refuse(rows) : false;
  }

  private settled(items: readonly StoreItem[]): void {
    let events = 0;
    for (const item of items) if (item.k === 'e') events++;
    if (events === 0) return;
    this.settledEvents += events;
    if (!this.settleFrozen) this.onSettled?.(this.settledEvents);
  }

  /** Queues detection records: refused when the spool is full while the database is down. */
  appendDetections(records: readonly DetectionRecord[]): boolean {
    if (records.length === 0) return true;
    return this.accept(
      records.map((v) => ({ k: 'd', v })),
      true,
    );
  }

  /** A DetectionSink writing into this writer (raised detections upserted as open, then closed). */
  detectionSink(): DetectionSink {
    return new DetectionWriter(this);
  }

  stats(): EventWriterStats {
    return {
      pendingRows: this.pending.length,
      spooledRows: this.spool.rows,
      spooledBytes: this.spool.bytes,
      spoolSegments: this.spool.segmentCount,
      ...this.counters,
      databaseUp: this.up,
      lastError: this.lastError,
    };
  }

  /** Resolves once everything accepted so far is in the database or the spool. */
  async flush(): Promise<void> {
    this.clearFlushTimer();
    this.kick();
    while (this.running !== undefined) await this.running;
  }

  /** Flushes; what the database cannot take now is spooled (beyond the limit if need be) for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.clearFlushTimer();
    if (this.pending.length > 0) {
      const rest = this.pending.splice(0);
      this.spool.append(rest, true);
      this.settled(rest);
    }
    this.spool.close();
  }

  private refuse(rows: number): false {
    this.counters.refusedBatches++;
    this.counters.refusedRows += rows;
    return false;
  }

  private accept(items: StoreItem[], refuseWhenSpoolFull: boolean): boolean {
    if (this.closed) throw new StoreBacklogFullError('the store writer is closed');
    if (refuseWhenSpoolFull && !this.up && (this.spoolBlocked || this.spool.isFull())) return this.refuse(items.length);
    for (const item of items) this.pending.push(item);
    if (this.pending.length >= this.store.config.batchSize) {
      this.clearFlushTimer();
      this.kick();
    } else if (this.flushTimer === undefined && this.running === undefined) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.kick();
      }, this.store.config.flushIntervalMs);
      this.flushTimer.unref();
    }
    return true;
  }

  private clearFlushTimer(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  private kick(): void {
    if (this.running !== undefined) {
      this.rerun = true;
      return;
    }
    this.running = this.loop()
      .catch((err: unknown) => {
        this.logger?.error({ err }, 'store: writer loop failed');
      })
      .finally(() => {
        this.running = undefined;
        if (this.rerun && !this.closed) {
          this.rerun = false;
          this.kick();
        }
      });
  }

  private async loop(): Promise<void> {
    const { batchSize } = this.store.config;
    /** The next batch, taken and its rows built while the current one was being written. */
    let next: { batch: StoreItem[]; prepared: PreparedBatch | undefined } | undefined;
    for (;;) {
      this.rerun = false;
      if (this.up || this.probing) {
        if (next === undefined && this.spool.segmentCount > 0) {
          await this.drainOldestSegment();
          continue;
        }
        if (next === undefined && this.pending.length === 0) return;
        const current = next ?? this.take(batchSize);
        next = undefined;
        const writing = this.write(current.batch, current.prepared).then(
          () => undefined,
          (err: unknown) => ({ err }),
        );
        // Overlap: the rows of the next batch are built here while the database (the SQLite thread) writes this one.
        if (this.pending.length > 0 && this.store.kind === 'sqlite') next = this.take(batchSize);
        const failed = await writing;
        if (failed === undefined) {
          this.settled(current.batch);
        } else {
          // Strict order: the next batch goes back in front of the queue before this one is parked.
          if (next !== undefined) this.pending = next.batch.concat(this.pending);
          next = undefined;
          this.wentDown(failed.err);
          this.park(current.batch);
        }
      } else {
        // Down: move what is pending to disk (bounded memory, survives a crash) and wait for the retry.
        if (this.pending.length === 0) return;
        if (!this.park(this.pending.splice(0, batchSize))) return;
      }
    }
  }

  /** The next batch and its rows; a row that cannot be built leaves that to `write` (which sorts out the bad rows). */
  private take(batchSize: number): { batch: StoreItem[]; prepared: PreparedBatch | undefined } {
    const batch = this.pending.splice(0, batchSize);
    try {
      return { batch, prepared: this.store.prepareBatch(batch) };
    } catch {
      return { batch, prepared: undefined };
    }
  }

  /** Into the spool; when it is full, back to the front of the queue. */
  private park(batch: StoreItem[]): boolean {
    if (this.spool.append(batch)) {
      this.spoolBlocked = false;
      this.settled(batch);
      return true;
    }
    this.spoolBlocked = true;
    this.pending = batch.concat(this.pending);
    return false;
  }

  private async drainOldestSegment(): Promise<void> {
    const segment = this.spool.oldest();
    if (segment === undefined) return;
    if (segment.corrupt > 0) this.logger?.warn({ segment: segment.name, lines: segment.corrupt }, 'store: skipped unreadable spool lines');
    const { batchSize } = this.store.config;
    try {
      for (let i = 0; i < segment.items.length; i += batchSize) await this.write(segment.items.slice(i, i + batchSize));
    } catch (err) {
      // Rows written before the failure are written again later and skipped as duplicates.
      this.wentDown(err);
      return;
    }
    this.spool.remove(segment.name);
    this.logger?.info({ segment: segment.name, rows: segment.rows }, 'store: spooled batch written');
  }

  /** Writes a batch; rows the database rejects as invalid go to the dead-letter file. Throws on transient errors only. */
  private async write(batch: StoreItem[], prepared?: PreparedBatch): Promise<void> {
    try {
      await this.store.writeBatch(batch, prepared);
      this.counters.writtenRows += batch.length;
      this.wentUp();
      return;
    } catch (err) {
      if (isTransientError(err)) {
        if ((err as { code?: unknown }).code === '23514') this.store.partitions?.forget();
        throw err;
      }
      this.logger?.warn({ err: (err as Error).message, rows: batch.length }, 'store: batch rejected, writing rows one by one');
    }
    for (const item of batch) {
      try {
        await this.store.writeBatch([item]);
        this.counters.writtenRows++;
      } catch (err) {
        if (isTransientError(err)) throw err;
        const file = this.spool.deadLetter([item], (err as Error).message);
        this.counters.deadLetterRows++;
        this.logger?.error({ err: (err as Error).message, file }, 'store: row rejected by the database');
      }
    }
    this.wentUp();
  }

  private wentUp(): void {
    if (!this.up) this.logger?.info('store: database reachable again');
    this.up = true;
    this.probing = false;
    this.spoolBlocked = false;
    this.retryDelay = this.store.config.spool.retryMinMs;
  }

  private wentDown(err: unknown): void {
    this.counters.failedWrites++;
    this.lastError = err instanceof Error ? err.message : String(err);
    if (this.up) this.logger?.warn({ err: this.lastError }, 'store: database unreachable, spooling batches');
    this.up = false;
    this.probing = false;
    if (this.retryTimer !== undefined || this.closed) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.store.config.spool.retryMaxMs, this.retryDelay * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.probing = true; // the next write decides; until it succeeds the store still counts as down
      this.kick();
    }, delay);
    this.retryTimer.unref();
  }
}

/** The store as a pipeline DetectionSink: open detections are upserted, closed ones final. */
export class DetectionWriter implements DetectionSink {
  readonly name = 'store';

  constructor(private readonly writer: EventWriter) {}

  write(records: readonly DetectionRecord[]): void {
    if (!this.writer.appendDetections(records)) {
      throw new StoreBacklogFullError('store spool full while the database is down: detections not stored');
    }
  }

  /** Flushes only: the writer belongs to whoever created it. */
  async close(): Promise<void> {
    await this.writer.flush();
  }
}
