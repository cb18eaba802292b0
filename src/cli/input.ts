import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { detectParser, getParser, PARSER_NAMES } from '../parsers/index.js';
import type { LineParser } from '../parsers/parser.js';

export { readLines } from '../sources/lines.js';

/** A mistake in how the command was called (exit code 2). */
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
export async function openInput(file: string): Promise<{ stream: AsyncIterable<Buffer>; size: number | undefined }> {
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
export async function sampleLines(source: AsyncIterable<Buffer>): Promise<{ sample: string[]; stream: AsyncIterable<Buffer> }> {
  const { head, stream } = await peek(source);
  const sample = head === undefined ? [] : head.toString('utf8', 0, Math.min(head.length, 65536)).split('\n').slice(0, 50);
  return { sample, stream };
}

/**
 * The parser named by --input, or the one auto-detected from the sample.
 * Unknown names throw UsageError; undefined means nothing recognised the
 * sample (the reason has been printed).
 */
export function selectParser(input: string | undefined, sample: readonly string[]): LineParser | undefined {
  if (input !== undefined && input !== 'auto') {
    const parser = getParser(input);
    if (parser === undefined) throw new UsageError(`unknown input format '${input}' (known: ${PARSER_NAMES.join(', ')}, auto)`);
    return parser;
  }
  const parser = detectParser(sample);
  if (parser === undefined) {
    process.stderr.write(`vigil: could not recognise the input format from its first lines; pass --input (${PARSER_NAMES.join(', ')})\n`);
  }
  return parser;
}
