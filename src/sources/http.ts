import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { SecurityEvent } from '../core/event.js';
import type { IdGenerator } from '../core/ids.js';
import { normalizeNative, type NativeContext } from '../parsers/native-json.js';
import type { Pipeline } from '../pipeline/pipeline.js';

/** A record refused at ingestion: its position (array index or 1-based line) and why. */
export interface RecordRejection {
  index?: number;
  line?: number;
  error: string;
}

export interface IngestContext {
  pipeline: Pipeline;
  ids: IdGenerator;
  now(): number;
  /** The HTTP client's address, used for records that carry none. */
  clientIp: string | undefined;
  labels: Record<string, string>;
}

export interface BatchResult {
  accepted: number;
  rejected: RecordRejection[];
  /** True when valid records were refused because the queue was full. */
  queueFull: boolean;
}

function nativeContext(ctx: IngestContext): NativeContext {
  return { ids: ctx.ids, now: ctx.now, fallbackIp: ctx.clientIp, labels: ctx.labels };
}

/**
 * POST /api/v1/events: one object or an array. Valid records are accepted
 * together (all or none, against the queue), invalid ones are listed with
 * their index and reason.
 */
export function ingestRecords(body: unknown, ctx: IngestContext): BatchResult {
  const records = Array.isArray(body) ? body : [body];
  const parse = nativeContext(ctx);
  const events: SecurityEvent[] = [];
  const rejected: RecordRejection[] = [];
  for (let i = 0; i < records.length; i++) {
    const outcome = normalizeNative(records[i], parse);
    if (outcome.event !== undefined) events.push(outcome.event);
    else rejected.push({ index: i, error: outcome.error ?? 'not an event' });
  }
  if (events.length === 0) return { accepted: 0, rejected, queueFull: false };
  if (!ctx.pipeline.offer(events)) return { accepted: 0, rejected, queueFull: true };
  return { accepted: events.length, rejected, queueFull: false };
}

export interface StreamLimits {
  maxBytes: number;
  maxLineChars: number;
  batchSize: number;
  /** How long to wait for queue room before giving up with queueFull. */
  waitMs: number;
  /** Rejections listed in the result; the rest are only counted. */
  maxListedRejections: number;
}

export interface StreamResult {
  accepted: number;
  rejectedCount: number;
  rejected: RecordRejection[];
  /** Lines read (accepted, rejected or blank). A client can resume after this line. */
  lines: number;
  queueFull: boolean;
  tooLarge: boolean;
}

/**
 * POST /api/v1/events/ndjson: one JSON record per line, read as a stream in
 * constant memory. Events are offered in batches, waiting for queue room (the
 * TCP connection carries the backpressure to the client); if there is none
 * within `waitMs` the stream stops with queueFull and `lines` says how far it got.
 */
export async function ingestNdjsonStream(stream: Readable, ctx: IngestContext, limits: StreamLimits): Promise<StreamResult> {
  const parse = nativeContext(ctx);
  const result: StreamResult = { accepted: 0, rejectedCount: 0, rejected: [], lines: 0, queueFull: false, tooLarge: false };
  const decoder = new StringDecoder('utf8');
  let batch: SecurityEvent[] = [];
  let carry = '';
  let skippingLongLine = false;
  let bytes = 0;

  const reject = (line: number, error: string) => {
    result.rejectedCount++;
    if (result.rejected.length < limits.maxListedRejections) result.rejected.push({ line, error });
  };
  const handleLine = (text: string) => {
    result.lines++;
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      reject(result.lines, `invalid JSON: ${(err as Error).message}`);
      return;
    }
    const outcome = normalizeNative(value, parse);
    if (outcome.event !== undefined) batch.push(outcome.event);
    else reject(result.lines, outcome.error ?? 'not an event');
  };
  // Lines up to here are settled: accepted, rejected or blank.
  let settledLines = 0;
  const flush = async (): Promise<boolean> => {
    if (batch.length > 0) {
      if (!(await ctx.pipeline.offerWait(batch, limits.waitMs))) {
        // This batch was not accepted: the client resumes after the last settled line.
        result.queueFull = true;
        result.lines = settledLines;
        return false;
      }
      result.accepted += batch.length;
      batch = [];
    }
    settledLines = result.lines;
    return true;
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limits.maxBytes) {
      result.tooLarge = true;
      break;
    }
    let text = carry + decoder.write(chunk);
    let start = 0;
    let newline: number;
    while ((newline = text.indexOf('\n', start)) !== -1) {
      if (skippingLongLine) {
        skippingLongLine = false;
      } else if (newline - start > limits.maxLineChars) {
        result.lines++;
        reject(result.lines, `line longer than ${limits.maxLineChars} characters`);
      } else {
        handleLine(text.slice(start, newline));
      }
      start = newline + 1;
      if (batch.length >= limits.batchSize && !(await flush())) return result;
    }
    text = text.slice(start);
    if (text.length > limits.maxLineChars) {
      if (!skippingLongLine) {
        result.lines++;
        reject(result.lines, `line longer than ${limits.maxLineChars} characters`);
      }
      skippingLongLine = true;
      text = '';
    }
    carry = text;
  }
  if (!result.tooLarge) {
    const rest = carry + decoder.end();
    if (rest.length > 0 && !skippingLongLine) handleLine(rest);
  }
  await flush();
  return result;
}
