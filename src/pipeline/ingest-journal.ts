import { closeSync, fdatasync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import type { SecurityEvent } from '../core/event.js';

export const journalConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        'Write every accepted event to an on-disk journal (dataDir/journal) before answering 2xx, and replay what the store had not ' +
        'yet taken at the next start, so a crash (kill -9) loses no acknowledged event. Only used while the store is enabled.',
    }),
    fsync: Type.Union([Type.Literal('always'), Type.Literal('interval'), Type.Literal('never')], {
      default: 'interval',
      description:
        'always: fdatasync before every 2xx (survives power loss, costs a disk flush per request); interval: every fsyncIntervalMs ' +
        '(a process crash loses nothing, a power loss at most that interval); never: leave it to the OS.',
    }),
    fsyncIntervalMs: Type.Integer({ minimum: 1, default: 1000, description: 'fsync period for fsync: interval.' }),
    maxBytes: Type.Integer({
      minimum: 1,
      default: 1024 ** 3,
      description: 'Journal size limit (events accepted but not yet in the store or its spool); beyond it ingestion answers 503.',
    }),
    segmentBytes: Type.Integer({ minimum: 1, default: 32 * 1024 ** 2, description: 'Size of one journal segment file.' }),
  },
  { additionalProperties: false, default: {} },
);
export type JournalConfig = Static<typeof journalConfigSchema>;

/** The journal cannot take more: ingestion answers 503 with this message. */
export class JournalFullError extends Error {
  readonly code = 'VIGIL_E_JOURNAL_FULL';
}

const SEGMENT = /^journal-(\d{16})\.ndjson$/;

interface Segment {
  name: string;
  /** Sequence number (1-based, over all events journaled) of this segment's last event. */
  lastSeq: number;
  bytes: number;
}

export interface JournalStats {
  bytes: number;
  segments: number;
  /** Events journaled (this run, replayed ones included). */
  appended: number;
  /** Events the store has taken (database or its spool). */
  settled: number;
  refused: number;
  /** Torn lines (a crash cut a write short) skipped at replay. */
  corruptLines: number;
}

/**
 * Write-ahead journal of accepted events. `append` runs before the event
 * enters the processing queue and before the HTTP answer: `writeSync` puts
 * the bytes in the OS page cache, which survives the process being killed;
 * fsync (per the policy) makes them survive a power loss too.
 *
 * Events are numbered in append order. The store's writer takes them in the
 * same order (the queue is FIFO) and reports how many it has made durable
 * (`settle`): segments whose events are all settled are deleted. At start,
 * the segments left by a crashed run are read back (`recover`) and replayed
 * through the pipeline; the store skips events it already has (ids are keys).
 */
export class IngestJournal {
  private readonly segments: Segment[] = [];
  private active: { name: string; fd: number; bytes: number } | undefined;
  private nextFileSeq = 1;
  private totalBytes = 0;
  private appended = 0;
  private settled = 0;
  private refused = 0;
  private corruptLines = 0;
  private dirty = false;
  /** The descriptor a background fdatasync is flushing, if any; `seal` leaves closing it to that flush. */
  private syncingFd: number | undefined;
  private closeWhenSynced = false;
  private fsyncTimer: NodeJS.Timeout | undefined;
  /** While true, `append` only numbers events (they are replayed from existing segments). */
  replaying = false;

  constructor(
    readonly dir: string,
    private readonly config: JournalConfig,
  ) {
    mkdirSync(dir, { recursive: true });
    if (config.fsync === 'interval') {
      this.fsyncTimer = setInterval(() => this.syncInBackground(), config.fsyncIntervalMs);
      this.fsyncTimer.unref();
    }
  }

  /**
   * Reads the segments a previous run left (events not known to be in the
   * store) and takes them over: their events are numbered first, so the caller
   * must replay them (with `replaying` set) before accepting new ones.
   */
  recover(): SecurityEvent[] {
    const events: SecurityEvent[] = [];
    const names = readdirSync(this.dir)
      .filter((n) => SEGMENT.test(n))
      .sort();
    let seq = 0;
    for (const name of names) {
      const text = readFileSync(join(this.dir, name), 'utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          events.push(JSON.parse(line) as SecurityEvent);
          seq++;
        } catch {
          this.corruptLines++;
        }
      }
      const bytes = statSync(join(this.dir, name)).size;
      this.segments.push({ name, lastSeq: seq, bytes });
      this.totalBytes += bytes;
      this.nextFileSeq = Math.max(this.nextFileSeq, Number(SEGMENT.exec(name)?.[1]) + 1);
    }
    return events;
  }

  /** Journals a batch (all or nothing); throws JournalFullError past maxBytes. */
  append(events: readonly SecurityEvent[]): void {
    if (events.length === 0) return;
    if (this.replaying) {
      this.appended += events.length;
      return;
    }
    let text = '';
    for (const event of events) text += JSON.stringify(event) + '\n';
    const size = Buffer.byteLength(text);
    if (this.totalBytes + size > this.config.maxBytes) {
      this.refused += events.length;
      throw new JournalFullError(
        `the ingest journal is full (${this.config.maxBytes} bytes of events not yet stored): the store is behind or down; retry later`,
      );
    }
    if (this.active === undefined || this.active.bytes >= this.config.segmentBytes) this.rotate();
    const active = this.active as { name: string; fd: number; bytes: number };
    try {
      writeSync(active.fd, text);
      if (this.config.fsync === 'always') fdatasyncSync(active.fd);
      else this.dirty = true;
    } catch (err) {
      // Disk full or I/O error: refuse the batch; a partial line stays torn (skipped at replay)
      // and the next append starts a new segment so it cannot glue onto it.
      this.refused += events.length;
      this.dirty = false;
      this.seal();
      throw new JournalFullError(`the ingest journal cannot be written: ${(err as Error).message}`);
    }
    active.bytes += size;
    this.totalBytes += size;
    this.appended += events.length;
    const segment = this.segments[this.segments.length - 1] as Segment;
    segment.lastSeq = this.appended;
    segment.bytes += size;
  }

  /** The store has made the first `count` events durable (database, spool or dead-letter file). */
  settle(count: number): void {
    if (count <= this.settled) return;
    this.settled = count;
    this.prune();
  }

  private prune(): void {
    while (this.segments.length > 0) {
      const oldest = this.segments[0] as Segment;
      if (oldest.lastSeq > this.settled) break;
      // A fully settled active segment is sealed and deleted too; the next append starts a new one.
      if (this.active?.name === oldest.name) this.seal();
      unlinkSync(join(this.dir, oldest.name));
      this.totalBytes -= oldest.bytes;
      this.segments.shift();
    }
  }

  /** At (or past) maxBytes: new events would be refused. */
  full(): boolean {
    return this.totalBytes >= this.config.maxBytes;
  }

  stats(): JournalStats {
    return {
      bytes: this.totalBytes,
      segments: this.segments.length,
      appended: this.appended,
      settled: this.settled,
      refused: this.refused,
      corruptLines: this.corruptLines,
    };
  }

  /**
   * The periodic flush (fsync: interval), on libuv's thread pool: the event
   * loop never waits for the disk. Writes appended meanwhile are flushed by
   * the next period (or by `seal` / `close`).
   */
  private syncInBackground(): void {
    if (!this.dirty || this.active === undefined || this.syncingFd !== undefined) return;
    const fd = this.active.fd;
    this.dirty = false;
    this.syncingFd = fd;
    fdatasync(fd, (err) => {
      this.syncingFd = undefined;
      if (err !== null && this.active?.fd === fd) this.dirty = true; // try again next period
      if (this.closeWhenSynced) {
        this.closeWhenSynced = false;
        closeSync(fd);
      }
    });
  }

  /** Flushes to disk. */
  sync(): void {
    if (!this.dirty || this.active === undefined) return;
    fdatasyncSync(this.active.fd);
    this.dirty = false;
  }

  /**
   * After a clean stop: everything settled → no segment is left. Unsettled
   * segments stay for the next start.
   */
  close(): void {
    if (this.fsyncTimer !== undefined) clearInterval(this.fsyncTimer);
    this.sync();
    this.seal();
    this.prune();
  }

  private rotate(): void {
    this.seal();
    const name = `journal-${String(this.nextFileSeq++).padStart(16, '0')}.ndjson`;
    this.active = { name, fd: openSync(join(this.dir, name), 'a'), bytes: 0 };
    this.segments.push({ name, lastSeq: this.appended, bytes: 0 });
  }

  private seal(): void {
    if (this.active === undefined) return;
    if (this.dirty) fdatasyncSync(this.active.fd);
    this.dirty = false;
    if (this.syncingFd === this.active.fd) this.closeWhenSynced = true;
    else closeSync(this.active.fd);
    this.active = undefined;
  }
}
