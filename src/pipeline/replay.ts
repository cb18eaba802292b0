import { resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { VigilConfig } from '../core/config.js';
import type { Detection } from '../core/detection.js';
import type { SecurityEvent } from '../core/event.js';
import { IdGenerator } from '../core/ids.js';
import { systemClock } from '../core/clock.js';
import { createDetectors } from '../detect/index.js';
import type { DetectionListener } from '../detect/detector.js';
import type { LineParser, ParseContext, ParseOutcome } from '../parsers/parser.js';
import type { DetectionRecord, DetectionSink } from '../sinks/sink.js';
import { DetectionOutputs } from './detection-outputs.js';
import { Pipeline } from './pipeline.js';

export interface ReplaySummary {
  lines: number;
  events: number;
  errors: number;
  skipped: number;
  detections: number;
  byType: Record<string, number>;
  seconds: number;
  /** Event time covered. */
  firstEvent: number | undefined;
  lastEvent: number | undefined;
}

export interface ReplayOptions {
  parser: LineParser;
  config: VigilConfig;
  /** Each detection once, final (closed), in the order they close. */
  onDetection: (detection: Detection) => void | Promise<void>;
  /** A line no parser understood: 1-based line number and the reason. */
  onError?: (line: number, error: string) => void;
  onProgress?: (bytes: number, events: number) => void;
  /** Milliseconds from parsing a batch's first line to the end of its detection (bench). */
  onBatch?: (milliseconds: number, events: number) => void;
  timeZone?: string;
}

/**
 * Runs a stream of log lines through the same detectors as the live service,
 * in event time: the watermark comes from the events alone, so the result
 * depends only on the input. Memory is bounded by one chunk plus detector state.
 */
export async function replay(input: AsyncIterable<Buffer | string>, options: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  const summary: ReplaySummary = {
    lines: 0,
    events: 0,
    errors: 0,
    skipped: 0,
    detections: 0,
    byType: {},
    seconds: 0,
    firstEvent: undefined,
    lastEvent: undefined,
  };
  const collector: DetectionSink = {
    name: 'replay',
    async write(records: readonly DetectionRecord[]) {
      for (const record of records) {
        if (record.status !== 'closed') continue;
        summary.detections++;
        const type = record.detection.type;
        summary.byType[type] = (summary.byType[type] ?? 0) + 1;
        await options.onDetection(record.detection);
      }
    },
    async close() {},
  };
  const outputs = new DetectionOutputs([collector], options.config.pipeline.outputQueueCapacity);
  // Detectors report to the pipeline, which is built right after them.
  const relay: DetectionListener = { opened: (d) => pipeline.opened(d), closed: (d) => pipeline.closed(d) };
  const detectors = createDetectors(options.config.detectors, relay, new IdGenerator('det'), {
      geoip: options.config.geoip,
      resolvePath: (path) => resolve(options.config.dataDir, path),
    });
  const pipeline = new Pipeline({ config: options.config.pipeline, detectors, outputs, clock: systemClock, mode: 'replay' });
  const ctx: ParseContext = {
    ids: new IdGenerator('ev'),
    // The event-time watermark once known; before the first event, the wall clock (it only
    // supplies the year of syslog stamps without one, and a time for records without any).
    now: () => (Number.isFinite(pipeline.watermark) ? pipeline.watermark : Date.now()),
    timeZone: options.timeZone,
  };

  const parser = options.parser;
  const batch: SecurityEvent[] = [];
  const batchSize = options.config.pipeline.batchSize;
  let bytes = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;

  const onBatch = options.onBatch;
  let batchStarted = 0;
  const processBatch = () => {
    pipeline.processBatch(batch);
    summary.events += batch.length;
    if (onBatch !== undefined) onBatch(performance.now() - batchStarted, batch.length);
    batch.length = 0;
  };
  /** The outcome of one non-empty line (already counted in summary.lines). */
  const count = (outcome: ParseOutcome) => {
    const event = outcome.event;
    if (event !== undefined) {
      batch.push(event);
      if (event.timestamp < first) first = event.timestamp;
      if (event.timestamp > last) last = event.timestamp;
      if (batch.length >= batchSize) processBatch();
    } else if (outcome.error !== undefined) {
      summary.errors++;
      options.onError?.(summary.lines, outcome.error);
    } else {
      summary.skipped++;
    }
  };
  const textLine = (line: string) => {
    summary.lines++;
    if (line.length === 0) return;
    if (onBatch !== undefined && batch.length === 0) batchStarted = performance.now();
    count(parser.parse(line, ctx));
  };
  /**
   * The line in bytes [start, end) (without its \n): parsers that read bytes
   * get them (they skip most lines without decoding them); for the others each
   * line is decoded on its own, so that the strings events keep (addresses,
   * user names) are cut from their own line, not from a whole chunk.
   */
  const byteLine = (chunk: Buffer, start: number, end: number) => {
    summary.lines++;
    if (end > start && chunk[end - 1] === 13) end--;
    if (end === start) return;
    if (onBatch !== undefined && batch.length === 0) batchStarted = performance.now();
    // No encoding name: UTF-8, without looking the name up on every line.
    count(parser.parseBytes !== undefined ? parser.parseBytes(chunk, start, end, ctx) : parser.parse(chunk.toString(undefined, start, end), ctx));
  };

  // The end of the previous chunk(s) when it had no line break: bytes or text, as they came.
  const carryBytes: Buffer[] = [];
  let carryText = '';
  const decoder = new StringDecoder('utf8');
  const textChunk = (chunk: string) => {
    const text = carryText + (carryBytes.length > 0 ? decoder.end(Buffer.concat(carryBytes.splice(0))) : '') + chunk;
    let start = 0;
    let newline: number;
    while ((newline = text.indexOf('\n', start)) !== -1) {
      let end = newline;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      textLine(text.slice(start, end));
      start = newline + 1;
    }
    carryText = text.slice(start);
  };
  const byteChunk = (chunk: Buffer) => {
    let start = 0;
    let newline = chunk.indexOf(10);
    if (carryText.length > 0) {
      // Text, then bytes (a mixed stream): the text's last line ends in this chunk.
      carryText += decoder.write(newline < 0 ? chunk : chunk.subarray(0, newline));
      if (newline < 0) return;
      const line = carryText + decoder.end();
      carryText = '';
      textLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    } else if (carryBytes.length > 0) {
      if (newline < 0) {
        carryBytes.push(chunk);
        return;
      }
      carryBytes.push(chunk.subarray(0, newline));
      const joined = Buffer.concat(carryBytes.splice(0));
      byteLine(joined, 0, joined.length);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    while (newline !== -1) {
      byteLine(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) carryBytes.push(chunk.subarray(start));
  };
  for await (const chunk of input) {
    bytes += chunk.length;
    if (typeof chunk === 'string') textChunk(chunk);
    else byteChunk(chunk);
    if (outputs.depth > 0) await outputs.flush();
    options.onProgress?.(bytes, summary.events + batch.length);
  }
  if (carryBytes.length > 0) {
    const joined = Buffer.concat(carryBytes.splice(0));
    // The last line without a line break: as before, a trailing \r is dropped.
    byteLine(joined, 0, joined.length);
  } else if (carryText.length > 0) {
    textLine(carryText.endsWith('\r') ? carryText.slice(0, -1) : carryText);
  }
  if (batch.length > 0) processBatch();
  await pipeline.stop();
  summary.seconds = (performance.now() - started) / 1000;
  summary.firstEvent = Number.isFinite(first) ? first : undefined;
  summary.lastEvent = Number.isFinite(last) ? last : undefined;
  return summary;
}
