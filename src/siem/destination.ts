import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { silentLogger } from '../core/logger.js';
import { nextDelay, sleep, type BackoffPolicy } from './backoff.js';
import type { SiemDestinationConfig } from './config.js';
import { DeliveryAbortedError, DeliveryError } from './errors.js';
import { matchesFilter } from './filter.js';
import type { SiemRecord } from './record.js';
import { Spool, type Spooled } from './spool.js';
import type { SiemTransport } from './transport.js';

export const DEAD_LETTER_FILE = 'dead-letter.ndjson';

/** Per-destination counters (the metrics module exports them with a `destination` label). */
export interface DestinationStats {
  name: string;
  type: string;
  /** Records the SIEM accepted. */
  sent: number;
  /** Failed delivery attempts (each try of a batch that did not fully succeed). */
  failed: number;
  /** Records accepted and not yet delivered (in memory and on disk). */
  queued: number;
  /** Of those, held in memory. */
  inMemory: number;
  /** Bytes of spool segment files on disk. */
  spooledBytes: number;
  /** Records written to the dead-letter file (retries exhausted, or rejected by the SIEM). */
  deadLettered: number;
  /** Records refused because the spool was full. */
  refusedSpoolFull: number;
  /** Records dropped because the in-memory queue was full (only without a spool). */
  droppedQueueFull: number;
  /** Records still in memory when closing without a spool. */
  droppedOnClose: number;
  /** Records that did not match this destination's filter. */
  filtered: number;
  /** Spool lines that could not be read back (torn by a crash). */
  corruptSpoolLines: number;
  lastError: string | undefined;
  /** Epoch ms of the last successful delivery. */
  lastDeliveryAt: number | undefined;
}

export interface DestinationOptions {
  config: SiemDestinationConfig;
  transport: SiemTransport;
  /** This destination's own folder (spool segments, ack offset, dead-letter file); none = memory only. */
  dir?: string;
  logger?: Logger;
  /** For tests: the jitter source. */
  random?: () => number;
  now?: () => number;
}

/**
 * One SIEM destination: a bounded in-memory queue in front of a durable
 * spool, batches (full batch at once, partial batch every flush interval),
 * one request in flight, retries with backoff and Retry-After, and a
 * dead-letter file once a batch has had its tries.
 *
 * Ordering and acknowledgement: batches are sent in spool order; the spool's
 * acknowledged offset moves past a batch once it is delivered or
 * dead-lettered. Records are therefore delivered at least once: a crash
 * between the SIEM's answer and the offset write repeats that batch.
 */
export class SiemDestination {
  readonly name: string;
  private readonly spool: Spool | undefined;
  private memory: Spooled[] = [];
  /** Highest sequence number held in (or already taken through) memory. */
  private memoryTail = 0;
  /** Records accepted to disk while memory was full, not yet loaded. */
  private backlogOnDisk = false;
  private memorySeq = 0;
  private pumping: Promise<void> | undefined;
  private flushAll = false;
  private closing = false;
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly policy: BackoffPolicy;
  private readonly logger: Logger;
  private readonly counters = {
    sent: 0,
    failed: 0,
    deadLettered: 0,
    refusedSpoolFull: 0,
    droppedQueueFull: 0,
    droppedOnClose: 0,
    filtered: 0,
    lastError: undefined as string | undefined,
    lastDeliveryAt: undefined as number | undefined,
  };

  constructor(private readonly options: DestinationOptions) {
    const { config } = options;
    this.name = config.name;
    this.logger = (options.logger ?? silentLogger).child({ component: 'siem', destination: config.name });
    this.policy = {
      initialDelayMs: config.retryInitialDelayMs,
      maxDelayMs: config.retryMaxDelayMs,
      maxRetryAfterMs: config.maxRetryAfterSeconds * 1000,
    };
    if (options.dir !== undefined) mkdirSync(options.dir, { recursive: true });
    if (options.dir !== undefined && config.spool.enabled) {
      this.spool = new Spool(options.dir, { maxBytes: config.spool.maxBytes, segmentBytes: config.spool.segmentBytes, fsync: config.spool.fsync });
      this.memoryTail = this.spool.ackedSeq;
      if (this.spool.unacknowledged > 0) {
        this.backlogOnDisk = true;
        this.logger.info({ records: this.spool.unacknowledged }, 'replaying spooled records');
        setImmediate(() => this.startPump(true));
      }
    }
    this.timer = setInterval(() => this.startPump(true), config.flushIntervalSeconds * 1000);
    this.timer.unref();
  }

  get config(): SiemDestinationConfig {
    return this.options.config;
  }

  /** Take records that pass the filter; never blocks on the SIEM. */
  accept(records: readonly SiemRecord[]): void {
    const wanted = records.filter((r) => matchesFilter(r, this.config.filter));
    this.counters.filtered += records.length - wanted.length;
    if (wanted.length === 0) return;
    if (this.closing) {
      this.counters.droppedOnClose += wanted.length;
      return;
    }
    const capacity = this.config.queueCapacity;
    if (this.spool !== undefined) {
      const { accepted, refused } = this.spool.append(wanted);
      if (refused > 0) {
        this.counters.refusedSpoolFull += refused;
        this.logger.error({ refused, spooledBytes: this.spool.bytes }, 'SIEM spool full: records refused');
      }
      for (const entry of accepted) {
        if (!this.backlogOnDisk && this.memory.length < capacity) {
          this.memory.push(entry);
          this.memoryTail = entry.seq;
        } else {
          this.backlogOnDisk = true;
        }
      }
    } else {
      for (const record of wanted) {
        if (this.memory.length < capacity) this.memory.push({ seq: ++this.memorySeq, record });
        else this.counters.droppedQueueFull++;
      }
    }
    if (this.memory.length >= this.config.batchSize) this.startPump(false);
  }

  /** Send everything queued now (partial batches too); resolves when the queue is empty or delivery is cut short by close. */
  async flush(): Promise<void> {
    this.flushAll = true;
    await this.pump();
    // A pump already running may have finished its batch before seeing flushAll: run once more.
    if (this.memory.length > 0 || this.backlogOnDisk) {
      this.flushAll = true;
      await this.pump();
    }
  }

  stats(): DestinationStats {
    return {
      name: this.name,
      type: this.config.type,
      sent: this.counters.sent,
      failed: this.counters.failed,
      queued: this.spool !== undefined ? this.spool.unacknowledged : this.memory.length,
      inMemory: this.memory.length,
      spooledBytes: this.spool?.bytes ?? 0,
      deadLettered: this.counters.deadLettered,
      refusedSpoolFull: this.counters.refusedSpoolFull,
      droppedQueueFull: this.counters.droppedQueueFull,
      droppedOnClose: this.counters.droppedOnClose,
      filtered: this.counters.filtered,
      corruptSpoolLines: this.spool?.corruptLines ?? 0,
      lastError: this.counters.lastError,
      lastDeliveryAt: this.counters.lastDeliveryAt,
    };
  }

  /**
   * Deliver what is queued for up to `timeoutMs`, then stop. With a spool,
   * whatever is left stays on disk for the next start; without one it is
   * counted in droppedOnClose.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.timer);
    const deadline = setTimeout(() => this.abort.abort(new DeliveryAbortedError()), timeoutMs);
    try {
      await this.flush();
    } catch (error) {
      if (!(error instanceof DeliveryAbortedError)) this.logger.error({ err: error }, 'SIEM delivery failed while closing');
    } finally {
      clearTimeout(deadline);
    }
    if (!this.abort.signal.aborted) this.abort.abort(new DeliveryAbortedError());
    await this.pumping?.catch(() => undefined);
    if (this.spool === undefined) this.counters.droppedOnClose += this.memory.length;
    else if (this.spool.unacknowledged > 0) this.logger.warn({ records: this.spool.unacknowledged }, 'SIEM records left in the spool for the next start');
    this.memory = [];
    await this.options.transport.close();
    this.spool?.close();
  }

  private startPump(flushAll: boolean): void {
    if (flushAll) this.flushAll = true;
    this.pump().catch((error: unknown) => {
      if (!(error instanceof DeliveryAbortedError)) this.logger.error({ err: error }, 'SIEM delivery loop failed');
    });
  }

  private pump(): Promise<void> {
    if (this.pumping !== undefined) return this.pumping;
    const run = async () => {
      for (;;) {
        this.refill();
        const ready = this.memory.length >= this.config.batchSize || (this.flushAll && this.memory.length > 0);
        if (!ready) break;
        const batch = this.memory.slice(0, this.config.batchSize);
        await this.deliver(batch);
        this.memory.splice(0, batch.length);
        this.spool?.ack((batch[batch.length - 1] as Spooled).seq);
      }
      this.flushAll = false;
    };
    // Cleared when the run settles — also when it finishes without awaiting anything:
    // clearing inside run() would happen before this assignment and leave it stuck.
    const running = run().finally(() => {
      if (this.pumping === running) this.pumping = undefined;
    });
    this.pumping = running;
    return running;
  }

  private refill(): void {
    if (this.spool === undefined || !this.backlogOnDisk) return;
    const room = this.config.queueCapacity - this.memory.length;
    if (room <= 0) return;
    const more = this.spool.read(this.memoryTail, room);
    for (const entry of more) this.memory.push(entry);
    if (more.length > 0) this.memoryTail = (more[more.length - 1] as Spooled).seq;
    if (more.length < room) this.backlogOnDisk = false;
  }

  /** Resolves once every record of the batch is delivered or dead-lettered; throws only DeliveryAbortedError. */
  private async deliver(batch: Spooled[]): Promise<void> {
    let pending = batch;
    let attempts = 0; // counted toward maxAttempts
    let tries = 0; // all failures, for the backoff exponent
    const signal = this.abort.signal;
    while (pending.length > 0) {
      if (signal.aborted) throw new DeliveryAbortedError();
      let retryAfterMs: number | undefined;
      try {
        const result = await this.options.transport.send(
          pending.map((s) => s.record),
          signal,
        );
        const retry = new Set(result?.retry ?? []);
        const rejected = result?.rejected ?? [];
        const rejectedIndex = new Set(rejected.map((r) => r.index));
        const delivered = pending.length - retry.size - rejectedIndex.size;
        this.counters.sent += delivered;
        if (delivered > 0) this.counters.lastDeliveryAt = (this.options.now ?? Date.now)();
        for (const { index, reason } of rejected) {
          const entry = pending[index];
          if (entry !== undefined) this.deadLetter([entry], reason, attempts + 1);
        }
        if (retry.size === 0) return;
        pending = pending.filter((_, i) => retry.has(i));
        this.counters.failed++;
        this.counters.lastError = `${retry.size} records to retry`;
        attempts++;
        tries++;
      } catch (error) {
        if (signal.aborted) throw new DeliveryAbortedError();
        const failure = error instanceof DeliveryError ? error : new DeliveryError(error instanceof Error ? error.message : String(error), { retryable: true });
        this.counters.failed++;
        this.counters.lastError = failure.message;
        tries++;
        if (!failure.retryable) {
          this.logger.error({ err: failure.message, records: pending.length }, 'SIEM rejected a batch: dead-lettered');
          this.deadLetter(pending, failure.message, attempts + 1);
          return;
        }
        // An outage (nothing answered) does not use up tries: records wait in the spool until the SIEM is back.
        if (!failure.unreachable) attempts++;
        this.logger.warn({ err: failure.message, attempt: tries, records: pending.length }, 'SIEM delivery failed; will retry');
        retryAfterMs = failure.retryAfterMs;
      }
      if (attempts >= this.config.maxAttempts) {
        this.deadLetter(pending, this.counters.lastError ?? 'retries exhausted', attempts);
        return;
      }
      try {
        await sleep(nextDelay(tries, retryAfterMs, this.policy, this.options.random), signal);
      } catch {
        throw new DeliveryAbortedError();
      }
    }
  }

  private deadLetter(entries: Spooled[], reason: string, attempts: number): void {
    this.counters.deadLettered += entries.length;
    this.logger.error({ records: entries.length, reason, attempts }, 'SIEM records dead-lettered');
    if (this.options.dir === undefined) return;
    const time = new Date((this.options.now ?? Date.now)()).toISOString();
    let text = '';
    for (const entry of entries) {
      text += `${JSON.stringify({ time, destination: this.name, attempts, reason, seq: entry.seq, record: entry.record })}\n`;
    }
    appendFileSync(join(this.options.dir, DEAD_LETTER_FILE), text);
  }
}
