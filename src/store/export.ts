import { Readable } from 'node:stream';
import type { SecurityEvent } from '../core/event.js';

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => unknown;
}

export interface CsvOptions {
  /**
   * Prefix text cells starting with = + - @ (or tab/CR) with a single quote, so
   * attacker-controlled values (usernames, paths) do not run as spreadsheet
   * formulas when the export is opened. Default true.
   */
  escapeFormulas?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: unknown, options: CsvOptions = {}): string {
  if (value === undefined || value === null) return '';
  let text: string;
  if (typeof value === 'string') {
    text = (options.escapeFormulas ?? true) && FORMULA_START.test(value) ? `'${value}` : value;
  } else if (typeof value === 'object') {
    text = JSON.stringify(value);
  } else {
    text = String(value);
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, CRLF-terminated (RFC 4180). */
export function csvRecord(values: readonly unknown[], options: CsvOptions = {}): string {
  return values.map((v) => csvField(v, options)).join(',') + '\r\n';
}

/** A CSV stream with a header line, from pages of rows (e.g. `allPages(queryEvents, …)`). */
export function csvStream<T>(pages: AsyncIterable<readonly T[]>, columns: readonly CsvColumn<T>[], options: CsvOptions = {}): Readable {
  return Readable.from(
    (async function* () {
      yield csvRecord(
        columns.map((c) => c.header),
        { escapeFormulas: false },
      );
      for await (const rows of pages) {
        let chunk = '';
        for (const row of rows) chunk += csvRecord(columns.map((c) => c.value(row)), options);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

/** One JSON object per line. */
export function ndjsonStream<T>(pages: AsyncIterable<readonly T[]>): Readable {
  return Readable.from(
    (async function* () {
      for await (const rows of pages) {
        let chunk = '';
        for (const row of rows) chunk += JSON.stringify(row) + '\n';
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

/** Columns for exporting SecurityEvents. */
export const EVENT_CSV_COLUMNS: CsvColumn<SecurityEvent>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'timestamp', value: (e) => new Date(e.timestamp).toISOString() },
  { header: 'kind', value: (e) => e.kind },
  { header: 'source_ip', value: (e) => e.sourceIp },
  { header: 'username', value: (e) => e.username },
  { header: 'user_agent', value: (e) => e.userAgent },
  { header: 'reason', value: (e) => e.reason ?? e.violationType },
  { header: 'method', value: (e) => e.http?.method },
  { header: 'path', value: (e) => e.http?.path },
  { header: 'status', value: (e) => e.http?.status },
  { header: 'country', value: (e) => e.geo?.country },
];
