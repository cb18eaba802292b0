import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import Table from 'cli-table3';
import type { VigilConfig } from '../core/config.js';
import type { Detection } from '../core/detection.js';
import { detectParser, getParser, PARSER_NAMES } from '../parsers/index.js';
import type { LineParser } from '../parsers/parser.js';
import { replay, type ReplaySummary } from '../pipeline/replay.js';
import { EXIT } from './exit-codes.js';
import { ProgressLine } from './progress.js';

export interface ReplayCliOptions {
  input?: string;
  output?: 'ndjson' | 'table';
  timeZone?: string;
  quiet?: boolean;
}

export class UsageError extends Error {}

/** The first chunk of a stream, and the whole stream again (first chunk included). */
async function peek(source: AsyncIterable<Buffer>): Promise<{ head: Buffer | undefined; stream: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head: Buffer | undefined = first.done ? undefined : first.value;
  async function* all(): AsyncGenerator<Buffer> {
    if (head !== undefined) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, stream: all() };
}

/** The input as a stream of bytes, gzip-decoded when it starts with the gzip magic. */
async function openInput(file: string): Promise<{ stream: AsyncIterable<Buffer>; size: number | undefined }> {
  // stat first: it fails cleanly for a missing file, before any stream exists.
  const size = file === '-' ? undefined : statSync(file).size;
  const raw: Readable = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  const { head, stream } = await peek(raw);
  if (head !== undefined && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    void (async () => {
      for await (const chunk of stream) if (!gunzip.write(chunk)) await new Promise((r) => gunzip.once('drain', r));
      gunzip.end();
    })().catch((err: Error) => gunzip.destroy(err));
    return { stream: gunzip, size };
  }
  return { stream, size };
}

/** Up to 50 lines from the start of the stream, for format auto-detection. */
async function sampleLines(source: AsyncIterable<Buffer>): Promise<{ sample: string[]; stream: AsyncIterable<Buffer> }> {
  const { head, stream } = await peek(source);
  const sample = head === undefined ? [] : head.toString('utf8', 0, Math.min(head.length, 65536)).split('\n').slice(0, 50);
  return { sample, stream };
}

export async function runReplay(file: string, config: VigilConfig, options: ReplayCliOptions): Promise<number> {
  try {
    return await replayFile(file, config, options);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    process.stderr.write(`vigil replay: cannot read ${file}: ${(err as Error).message}\n`);
    return EXIT.FAILURE;
  }
}

async function replayFile(file: string, config: VigilConfig, options: ReplayCliOptions): Promise<number> {
  const opened = await openInput(file);
  const { sample, stream } = await sampleLines(opened.stream);
  let parser: LineParser | undefined;
  if (options.input !== undefined && options.input !== 'auto') {
    parser = getParser(options.input);
    if (parser === undefined) {
      throw new UsageError(`unknown input format '${options.input}' (known: ${PARSER_NAMES.join(', ')}, auto)`);
    }
  } else {
    parser = detectParser(sample);
    if (parser === undefined) {
      process.stderr.write(
        `vigil replay: could not recognise the input format from its first lines; pass --input (${PARSER_NAMES.join(', ')})\n`,
      );
      return EXIT.USAGE;
    }
  }

  const output = options.output ?? (process.stdout.isTTY ? 'table' : 'ndjson');
  const collected: Detection[] = [];
  const progress = process.stderr.isTTY && !options.quiet ? new ProgressLine(process.stderr, opened.size) : undefined;
  let errorsShown = 0;
  const summary = await replay(stream, {
    parser,
    config,
    timeZone: options.timeZone,
    onDetection: async (detection) => {
      if (output === 'table') {
        collected.push(detection);
        return;
      }
      if (!process.stdout.write(JSON.stringify(detection) + '\n')) {
        await new Promise((resolve) => process.stdout.once('drain', resolve));
      }
    },
    onError: (line, error) => {
      if (options.quiet || errorsShown >= 10) return;
      errorsShown++;
      progress?.done();
      process.stderr.write(`line ${line}: ${error}\n`);
    },
    onProgress: progress ? (bytes, events) => progress.update(bytes, events) : undefined,
  });
  progress?.done();
  if (output === 'table') printTable(collected);
  if (!options.quiet) printSummary(summary, parser.name);
  return summary.errors > 0 ? EXIT.INPUT_ERRORS : EXIT.OK;
}

function printTable(detections: Detection[]): void {
  const table = new Table({
    head: ['type', 'severity', 'subject', 'events', 'first seen', 'last seen', 'usernames'],
    style: { head: [], border: [] },
  });
  for (const d of detections) {
    table.push([
      d.type,
      d.severity,
      d.sourceIp ?? d.username ?? '',
      d.evidence.eventCount,
      new Date(d.evidence.firstSeen).toISOString(),
      new Date(d.evidence.lastSeen).toISOString(),
      (d.evidence.usernames ?? []).slice(0, 5).join(', '),
    ]);
  }
  process.stdout.write(table.toString() + '\n');
}

function printSummary(s: ReplaySummary, parser: string): void {
  const rate = s.seconds > 0 ? Math.round(s.lines / s.seconds) : 0;
  const types = Object.entries(s.byType)
    .map(([t, n]) => `${t}=${n}`)
    .join(' ');
  const span =
    s.firstEvent !== undefined && s.lastEvent !== undefined
      ? ` over ${new Date(s.firstEvent).toISOString()} … ${new Date(s.lastEvent).toISOString()}`
      : '';
  process.stderr.write(
    `replay (${parser}): ${s.lines} lines, ${s.events} events, ${s.skipped} skipped, ${s.errors} errors${span}; ` +
      `${s.detections} detections${types ? ` (${types})` : ''}; ${s.seconds.toFixed(2)} s, ${rate.toLocaleString('en')} lines/s\n`,
  );
}
