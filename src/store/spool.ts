import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SpoolOptions {
  /** Backlog limit in bytes; `append` refuses beyond it. */
  maxBytes: number;
  /** A new segment file is started once the current one reaches this size. */
  segmentBytes: number;
}

export interface SpoolSegment<T> {
  name: string;
  items: T[];
  rows: number;
  bytes: number;
  /** Lines that did not parse (a write cut short by a crash); skipped. */
  corrupt: number;
}

const SEGMENT = /^seg-(\d{16})\.ndjson$/;

/**
 * A bounded on-disk FIFO of NDJSON segment files (`seg-<seq>.ndjson`) for
 * batches the database could not take. Writes are synchronous and fsynced:
 * the spool is only used while the database is down, and a batch it accepted
 * must survive a crash. Segments already on disk at start are the backlog of
 * a previous run.
 */
export class Spool<T> {
  private readonly segments = new Map<string, { rows: number; bytes: number }>();
  private active: { name: string; fd: number; bytes: number } | undefined;
  private nextSeq = 1;
  private totalBytes = 0;
  private totalRows = 0;

  constructor(
    readonly dir: string,
    private readonly options: SpoolOptions,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir).sort()) {
      const m = SEGMENT.exec(name);
      if (m === null) continue;
      const text = readFileSync(join(dir, name), 'utf8');
      const rows = countLines(text);
      const bytes = statSync(join(dir, name)).size;
      this.segments.set(name, { rows, bytes });
      this.totalBytes += bytes;
      this.totalRows += rows;
      this.nextSeq = Math.max(this.nextSeq, Number(m[1]) + 1);
    }
  }

  get bytes(): number {
    return this.totalBytes;
  }
  get rows(): number {
    return this.totalRows;
  }
  get segmentCount(): number {
    return this.segments.size;
  }
  isFull(): boolean {
    return this.totalBytes >= this.options.maxBytes;
  }

  /** Appends a batch; false (nothing written) when it would exceed `maxBytes` — unless `force` (shutdown). */
  append(items: readonly T[], force = false): boolean {
    if (items.length === 0) return true;
    let text = '';
    for (const item of items) text += JSON.stringify(item, jsonSafe) + '\n';
    const size = Buffer.byteLength(text);
    if (!force && this.totalBytes + size > this.options.maxBytes) return false;
    if (this.active === undefined || this.active.bytes >= this.options.segmentBytes) this.rotate();
    const active = this.active as { name: string; fd: number; bytes: number };
    writeSync(active.fd, text);
    fdatasyncSync(active.fd);
    active.bytes += size;
    const seg = this.segments.get(active.name) as { rows: number; bytes: number };
    seg.rows += items.length;
    seg.bytes += size;
    this.totalBytes += size;
    this.totalRows += items.length;
    return true;
  }

  /** The oldest segment, read whole (the active one is sealed first, so later appends go to a new file). */
  oldest(): SpoolSegment<T> | undefined {
    const name = this.segments.keys().next().value;
    if (name === undefined) return undefined;
    if (this.active?.name === name) this.seal();
    const text = readFileSync(join(this.dir, name), 'utf8');
    const items: T[] = [];
    let corrupt = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        items.push(JSON.parse(line) as T);
      } catch {
        corrupt++;
      }
    }
    const seg = this.segments.get(name) as { rows: number; bytes: number };
    return { name, items, rows: seg.rows, bytes: seg.bytes, corrupt };
  }

  /** Removes a segment once every row in it is stored. */
  remove(name: string): void {
    const seg = this.segments.get(name);
    if (seg === undefined) return;
    if (this.active?.name === name) this.seal();
    unlinkSync(join(this.dir, name));
    this.segments.delete(name);
    this.totalBytes -= seg.bytes;
    this.totalRows -= seg.rows;
  }

  /** Rows the database rejected as invalid: kept for inspection, outside the backlog. */
  deadLetter(items: readonly T[], reason: string): string {
    const file = join(this.dir, 'rejected.ndjson');
    let text = '';
    for (const item of items) text += JSON.stringify({ reason, item }, jsonSafe) + '\n';
    appendFileSync(file, text);
    return file;
  }

  close(): void {
    this.seal();
  }

  private rotate(): void {
    this.seal();
    const name = `seg-${String(this.nextSeq++).padStart(16, '0')}.ndjson`;
    const fd = openSync(join(this.dir, name), 'a');
    this.active = { name, fd, bytes: 0 };
    this.segments.set(name, { rows: 0, bytes: 0 });
  }

  private seal(): void {
    if (this.active === undefined) return;
    closeSync(this.active.fd);
    this.active = undefined;
  }
}

/** BigInts (not JSON) as strings, so one odd value cannot make a batch unspoolable. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
