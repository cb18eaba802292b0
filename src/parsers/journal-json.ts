import type { LineParser, ParseContext, ParseOutcome } from './parser.js';
import { SKIPPED } from './parser.js';
import { isSshdProgram, parseSshdMessage } from './sshd.js';

/**
 * systemd journal export as JSON, one entry per line (`journalctl -o json`).
 * Fields used: `__REALTIME_TIMESTAMP` (µs since the epoch, as a decimal
 * string), `_HOSTNAME`, `SYSLOG_IDENTIFIER` (falling back to `_COMM`), `_PID`
 * (falling back to `SYSLOG_PID`) and `MESSAGE` — a string, or an array of
 * bytes when the message is not valid UTF-8 text (journalctl's encoding for
 * binary fields), decoded here as UTF-8. `null` fields (journalctl's
 * placeholder for values over its size limit) count as missing.
 *
 * sshd entries go to the sshd message parser; other identifiers are skipped.
 */

/** Longest line accepted (journalctl caps field output at 64 KiB by default). */
export const MAX_JOURNAL_LINE_CHARS = 256 * 1024;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** MESSAGE as text: a string, or an array of byte values decoded as UTF-8; undefined when it is neither. */
export function journalMessage(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const b: unknown = value[i];
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return undefined;
    bytes[i] = b;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

function realtime(value: unknown): number {
  const digits = text(value);
  if (digits === undefined || digits.length === 0 || digits.length > 19) return Number.NaN;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
  }
  return Math.floor(Number(digits) / 1000);
}

/** [journal] `journalctl -o json` lines. */
export const journalJsonParser: LineParser = {
  name: 'journal',
  detect(line: string): boolean {
    return line.charCodeAt(0) === 123 && line.includes('"__REALTIME_TIMESTAMP"') && line.includes('"MESSAGE"');
  },
  parse(line: string, ctx: ParseContext): ParseOutcome {
    if (line.length === 0) return { error: 'journal: empty line' };
    if (line.length > MAX_JOURNAL_LINE_CHARS) {
      return { error: `journal: line is ${line.length} characters long (limit ${MAX_JOURNAL_LINE_CHARS})` };
    }
    if (line.charCodeAt(0) !== 123) return { error: 'journal: expected a JSON object per line (journalctl -o json)' };
    // Cheap pre-check before JSON.parse: only sshd entries become events.
    if (!line.includes('sshd')) {
      if (!line.includes('"MESSAGE"')) return { error: 'journal: entry has no MESSAGE field' };
      return SKIPPED;
    }
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch (err) {
      return { error: `journal: invalid JSON (${(err as Error).message})` };
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return { error: 'journal: expected a JSON object per line (journalctl -o json)' };
    }
    const record = entry as Record<string, unknown>;
    const identifier = text(record.SYSLOG_IDENTIFIER) ?? text(record._COMM);
    if (identifier === undefined || !isSshdProgram(identifier)) return SKIPPED;
    const message = journalMessage(record.MESSAGE);
    if (message === undefined) {
      return { error: 'journal: MESSAGE must be a string or an array of byte values' };
    }
    let timestamp = ctx.now();
    if (record.__REALTIME_TIMESTAMP !== undefined && record.__REALTIME_TIMESTAMP !== null) {
      timestamp = realtime(record.__REALTIME_TIMESTAMP);
      if (Number.isNaN(timestamp)) {
        return { error: '__REALTIME_TIMESTAMP: expected microseconds since the epoch as a decimal string' };
      }
    }
    return parseSshdMessage(
      message,
      {
        timestamp,
        timeClamped: false,
        host: text(record._HOSTNAME),
        program: identifier,
        pid: text(record._PID) ?? text(record.SYSLOG_PID),
      },
      ctx,
    );
  },
};
