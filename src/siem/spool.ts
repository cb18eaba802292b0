import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SiemRecord } from './record.js';

/**
 * Durable FIFO of records for one destination: append-only NDJSON segment
 * files (`segment-<first seq>.ndjson`, one `{"seq":n,"record":…}` per line)
 * and `ack.json`, the highest sequence number the SIEM has accepted.
 *
 * Records are appended synchronously when accepted, before anything is
 * sent, so a crash or restart loses nothing accepted: on open, everything
 * after the acknowledged offset is delivered again (at-least-once).
 * Fully acknowledged segments are deleted. The total size is bounded:
 * past `maxBytes` records are refused and counted, never silently dropped.
 * A torn last line (crash mid-write) is skipped and counted.
 */
export interface SpoolOptions {
  maxBytes: number;
  segmentBytes: number;
  /** fsync after every append and ack (survives power loss, costs a disk flush per write). */
  fsync?: boolean;
}

export interface Spooled {
  seq: number;
  record: SiemRecord;
}

interface Segment {
  path: string;
  firstSeq: number;
  lastSeq: number;
  bytes: number;
}

const SEGMENT_NAME = /^segment-(\d{16})\.ndjson$/;
const ACK_FILE = 'ack.json';

export class Spool {
  private readonly segments: Segment[] = [];
  private activeFd: number | undefined;
  private acked = 0;
  private next = 1;
  /** Lines that could not be read back (torn by a crash); skipped. */
  corruptLines = 0;

  constructor(
    readonly dir: string,
    private readonly options: SpoolOptions,
  ) {
    mkdirSync(dir, { recursive: true });
    this.acked = this.readAck();
    const names = readdirSync(dir)
      .filter((n) => SEGMENT_NAME.test(n))
      .sort();
    names.forEach((name, i) => {
      const path = join(dir, name);
      const firstSeq = Number(SEGMENT_NAME.exec(name)?.[1]);
      const nextName = names[i + 1];
      const lastSeq = nextName !== undefined ? Number(SEGMENT_NAME.exec(nextName)?.[1]) - 1 : this.lastSeqIn(path, firstSeq);
      this.segments.push({ path, firstSeq, lastSeq, bytes: statSync(path).size });
    });
    const tail = this.segments[this.segments.length - 1];
    if (tail !== undefined && tail.lastSeq < tail.firstSeq) {
      // Nothing readable in it (created, then a crash tore its only line): appending to it would glue onto the torn line.
      unlinkSync(tail.path);
      this.segments.pop();
    }
    const last = this.segments[this.segments.length - 1];
    this.next = Math.max(this.acked, last?.lastSeq ?? 0) + 1;
    this.dropAcknowledgedSegments();
  }

  /** Highest sequence number acknowledged by the SIEM. */
  get ackedSeq(): number {
    return this.acked;
  }

  /** Highest sequence number written. */
  get lastSeq(): number {
    return this.next - 1;
  }

  /** Records written and not yet acknowledged. */
  get unacknowledged(): number {
    return this.next - 1 - this.acked;
  }

  /** Bytes on disk in segment files. */
  get bytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.bytes;
    return total;
  }

  /** Append records in order; those that would take the spool past maxBytes are refused (returned count). */
  append(records: readonly SiemRecord[]): { accepted: Spooled[]; refused: number } {
    const accepted: Spooled[] = [];
    let used = this.bytes;
    let pending = '';
    let pendingBytes = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as SiemRecord;
      const line = `${JSON.stringify({ seq: this.next, record })}\n`;
      const size = Buffer.byteLength(line);
      if (used + size > this.options.maxBytes) {
        this.flushLines(pending, pendingBytes);
        return { accepted, refused: records.length - i };
      }
      const active = this.segments[this.segments.length - 1];
      if (this.activeFd === undefined || active === undefined || active.bytes + pendingBytes >= this.options.segmentBytes) {
        this.flushLines(pending, pendingBytes);
        pending = '';
        pendingBytes = 0;
        this.openSegment();
      }
      pending += line;
      pendingBytes += size;
      used += size;
      accepted.push({ seq: this.next, record });
      this.next++;
    }
    this.flushLines(pending, pendingBytes);
    return { accepted, refused: 0 };
  }

  /** Up to `limit` records with seq > afterSeq, in order, read back from disk. */
  read(afterSeq: number, limit: number): Spooled[] {
    const out: Spooled[] = [];
    for (const segment of this.segments) {
      if (segment.lastSeq <= afterSeq) continue;
      for (const entry of this.readSegment(segment.path, false)) {
        if (entry.seq <= afterSeq) continue;
        out.push(entry);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  /** Everything up to and including `seq` was accepted by the SIEM (or dead-lettered). */
  ack(seq: number): void {
    if (seq <= this.acked) return;
    this.acked = Math.min(seq, this.next - 1);
    const path = join(this.dir, ACK_FILE);
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ seq: this.acked }));
    if (this.options.fsync) {
      const fd = openSync(tmp, 'r+');
      fsyncSync(fd);
      closeSync(fd);
    }
    renameSync(tmp, path);
    this.dropAcknowledgedSegments();
  }

  close(): void {
    if (this.activeFd !== undefined) closeSync(this.activeFd);
    this.activeFd = undefined;
  }

  private flushLines(text: string, bytes: number): void {
    if (bytes === 0 || this.activeFd === undefined) return;
    writeSync(this.activeFd, text);
    if (this.options.fsync) fsyncSync(this.activeFd);
    const active = this.segments[this.segments.length - 1] as Segment;
    active.bytes += bytes;
    active.lastSeq = this.next - 1;
  }

  private openSegment(): void {
    this.close();
    const path = join(this.dir, `segment-${String(this.next).padStart(16, '0')}.ndjson`);
    this.activeFd = openSync(path, 'a');
    this.segments.push({ path, firstSeq: this.next, lastSeq: this.next - 1, bytes: statSync(path).size });
  }

  private dropAcknowledgedSegments(): void {
    while (this.segments.length > 0) {
      const first = this.segments[0] as Segment;
      if (first.lastSeq > this.acked) break;
      // The active segment goes too once fully acknowledged: the next append opens a fresh one.
      if (this.segments.length === 1) this.close();
      unlinkSync(first.path);
      this.segments.shift();
    }
  }

  private readAck(): number {
    try {
      const parsed = JSON.parse(readFileSync(join(this.dir, ACK_FILE), 'utf8')) as { seq?: unknown };
      return typeof parsed.seq === 'number' && Number.isInteger(parsed.seq) && parsed.seq >= 0 ? parsed.seq : 0;
    } catch {
      return 0;
    }
  }

  private lastSeqIn(path: string, firstSeq: number): number {
    let last = firstSeq - 1;
    for (const entry of this.readSegment(path, true)) last = entry.seq;
    return last;
  }

  private readSegment(path: string, countCorrupt: boolean): Spooled[] {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return [];
    }
    const out: Spooled[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const entry = JSON.parse(line) as Spooled;
        if (typeof entry.seq === 'number' && typeof entry.record === 'object' && entry.record !== null) out.push(entry);
        else if (countCorrupt) this.corruptLines++;
      } catch {
        if (countCorrupt) this.corruptLines++;
      }
    }
    return out;
  }
}
