import { Type, type Static } from '@sinclair/typebox';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { glob } from 'tinyglobby';
import { sourceIngestor, type LineIngestor } from './line-ingestor.js';
import type { Source, SourceContext } from './source.js';

export const fileSourceSchema = Type.Object(
  {
    type: Type.Literal('file'),
    name: Type.Optional(Type.String({ description: 'Name in metrics, logs and the checkpoint file (default file-<paths>).' })),
    paths: Type.Array(Type.String(), { minItems: 1, description: 'Files or glob patterns, e.g. /var/log/auth.log, /var/log/nginx/*.log.' }),
    startAt: Type.Union([Type.Literal('beginning'), Type.Literal('end')], {
      default: 'end',
      description: 'For a file without a checkpoint: read it whole, or only what is appended from now on.',
    }),
    input: Type.String({ default: 'auto', description: 'Parser name or auto.' }),
    pollMs: Type.Integer({ minimum: 10, default: 250, description: 'How often files are checked for new data.' }),
    globRefreshMs: Type.Integer({ minimum: 100, default: 5000, description: 'How often globs are expanded again to find new files.' }),
  },
  { additionalProperties: false },
);
export type FileSourceConfig = Static<typeof fileSourceSchema>;

interface Checkpoint {
  ino: number;
  offset: number;
  /** The last bytes consumed (hex, up to 64, ending at offset): a file truncated and rewritten past the offset is told apart by them. */
  mark?: string;
}

const MARK_BYTES = 64;

const READ_CHUNK = 1 << 20;

/**
 * Follows files like `tail -F`, surviving rotation by rename (the old file is
 * read to its end, then the new one from its start) and by copytruncate (a
 * file that shrinks is read again from the start). The offset of the last
 * line accepted by the pipeline is checkpointed per file (with its inode) in
 * the data dir, so a restart resumes exactly there: no loss, no duplicates.
 */
export class FileTailSource implements Source {
  readonly type = 'file';
  readonly name: string;
  private readonly ingestor: LineIngestor;
  private readonly tailers = new Map<string, Tailer>();
  private readonly checkpointFile: string;
  private checkpoints: Record<string, Checkpoint> = {};
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private lastGlob = 0;

  constructor(
    private readonly config: FileSourceConfig,
    private readonly ctx: SourceContext,
    batchSize: number,
  ) {
    this.name = config.name ?? `file-${config.paths.join(',')}`;
    this.ingestor = sourceIngestor(this.name, config.input, ctx, batchSize);
    const dir = join(ctx.dataDir, 'checkpoints');
    mkdirSync(dir, { recursive: true });
    this.checkpointFile = join(dir, `${this.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100)}.json`);
  }

  async start(): Promise<void> {
    try {
      this.checkpoints = JSON.parse(readFileSync(this.checkpointFile, 'utf8')) as Record<string, Checkpoint>;
    } catch {
      this.checkpoints = {};
    }
    await this.refreshFiles();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
    // One last pass: what was written before the stop is read and checkpointed.
    await this.pollAll();
    for (const tailer of this.tailers.values()) await tailer.close();
  }

  /** One pass over every file (tests and stop use it directly). */
  async pollAll(): Promise<void> {
    if (Date.now() - this.lastGlob >= this.config.globRefreshMs) await this.refreshFiles();
    for (const tailer of this.tailers.values()) {
      try {
        await tailer.poll();
      } catch (err) {
        this.ctx.logger.warn({ source: this.name, file: tailer.path, err }, 'could not read file');
      }
    }
    await this.ingestor.flush();
    this.saveCheckpoints();
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.pollAll().finally(() => this.schedule());
    }, this.config.pollMs);
  }

  private async refreshFiles(): Promise<void> {
    this.lastGlob = Date.now();
    const files = await glob(this.config.paths, { absolute: true, onlyFiles: true });
    for (const path of files) {
      if (this.tailers.has(path)) continue;
      const saved = this.checkpoints[path];
      const tailer = new Tailer(path, this.ingestor);
      await tailer.openAt(saved, this.config.startAt);
      this.tailers.set(path, tailer);
    }
  }

  private saveCheckpoints(): void {
    let changed = false;
    for (const tailer of this.tailers.values()) {
      const current = tailer.checkpoint();
      if (current === undefined) continue;
      const saved = this.checkpoints[tailer.path];
      if (saved === undefined || saved.ino !== current.ino || saved.offset !== current.offset || saved.mark !== current.mark) {
        this.checkpoints[tailer.path] = current;
        changed = true;
      }
    }
    if (!changed) return;
    // Write then rename: a crash leaves the old checkpoint or the new one, never half of one.
    const temporary = `${this.checkpointFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.checkpoints));
    renameSync(temporary, this.checkpointFile);
  }
}

/** One followed path. */
class Tailer {
  private handle: FileHandle | undefined;
  private ino = 0;
  /** Byte offset just after the last complete line handed to the ingestor. */
  private offset = 0;
  /** The bytes just before offset, as consumed (hex). */
  private mark = '';
  private readonly chunk = Buffer.allocUnsafe(READ_CHUNK);

  constructor(
    readonly path: string,
    private readonly ingestor: LineIngestor,
  ) {}

  checkpoint(): Checkpoint | undefined {
    return this.handle === undefined ? undefined : { ino: this.ino, offset: this.offset, mark: this.mark };
  }

  async openAt(saved: Checkpoint | undefined, startAt: 'beginning' | 'end'): Promise<void> {
    const info = await stat(this.path);
    this.handle = await open(this.path, 'r');
    this.ino = info.ino;
    if (saved !== undefined && saved.ino === info.ino && saved.offset <= info.size && (await this.readMark(saved.offset)) === (saved.mark ?? '')) {
      this.offset = saved.offset;
    } else if (saved !== undefined) {
      this.offset = 0; // rotated or rewritten while we were away: the file is read whole
    } else {
      this.offset = startAt === 'end' ? info.size : 0;
    }
    this.mark = await this.readMark(this.offset);
  }

  /** Up to MARK_BYTES of the open file ending at `end` (hex). */
  private async readMark(end: number): Promise<string> {
    if (this.handle === undefined || end === 0) return '';
    const length = Math.min(MARK_BYTES, end);
    const probe = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(probe, 0, length, end - length);
    return probe.toString('hex', 0, bytesRead);
  }

  async poll(): Promise<void> {
    if (this.handle === undefined) {
      await this.openAt(undefined, 'beginning');
    }
    let info;
    try {
      info = await stat(this.path);
    } catch {
      info = undefined; // renamed away and not yet recreated: finish the open file
    }
    if (info !== undefined && info.ino !== this.ino) {
      // Rotation by rename: read the old file to its end, then follow the new one from 0.
      await this.readToEnd();
      await this.handle?.close();
      this.handle = await open(this.path, 'r');
      this.ino = info.ino;
      this.offset = 0;
      this.mark = '';
    } else if (info !== undefined && (info.size < this.offset || (await this.readMark(this.offset)) !== this.mark)) {
      // copytruncate: the file was emptied in place (and maybe already written past our offset).
      this.offset = 0;
    }
    const before = this.offset;
    await this.readToEnd();
    if (this.offset !== before || this.offset === 0) this.mark = await this.readMark(this.offset);
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private async readToEnd(): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) return;
    for (;;) {
      const { bytesRead } = await handle.read(this.chunk, 0, READ_CHUNK, this.offset);
      if (bytesRead === 0) return;
      const data = this.chunk.subarray(0, bytesRead);
      let start = 0;
      let newline: number;
      while ((newline = data.indexOf(0x0a, start)) !== -1) {
        const end = newline > start && data[newline - 1] === 0x0d ? newline - 1 : newline;
        await this.ingestor.line(data.toString('utf8', start, end));
        start = newline + 1;
      }
      if (start === 0) {
        // No line end in a whole chunk: a line longer than 1 MiB. Take it as one record.
        if (bytesRead < READ_CHUNK) return; // an incomplete last line: wait for the rest
        await this.ingestor.line(data.toString('utf8'));
        start = bytesRead;
      }
      this.offset += start;
      if (bytesRead < READ_CHUNK) return;
    }
  }
}
