import type { SecurityEvent } from '../core/event.js';
import type { IdGenerator } from '../core/ids.js';

/** What a parser needs from its surroundings. */
export interface ParseContext {
  ids: IdGenerator;
  /** Current time (wall clock live, watermark in replay): used when a record has no time stamp. */
  now(): number;
  /** IANA time zone for time stamps without a zone (classic syslog); default UTC. */
  timeZone?: string;
  /** Labels copied onto every event (source name, host, …). */
  labels?: Record<string, string>;
}

/**
 * One line's outcome. Exactly one of `event`, `error`, `skipped` is set:
 * an event; a line that should have been an event but is malformed (counted
 * as an error, with a message a user can act on); or a well-formed line that
 * carries no security event (counted as skipped, never an error).
 */
export type ParseOutcome =
  | { event: SecurityEvent; error?: undefined; skipped?: undefined }
  | { error: string; event?: undefined; skipped?: undefined }
  | { skipped: true; event?: undefined; error?: undefined };

export interface LineParser {
  /** Registry key, used by `--input`. */
  readonly name: string;
  /** Cheap check for auto-detection: does this line look like this format? */
  detect(line: string): boolean;
  parse(line: string, ctx: ParseContext): ParseOutcome;
  /**
   * Optional, for readers of raw bytes (`vigil replay`): the line in bytes
   * [start, end) of `bytes` (UTF-8, without its line break, not empty). Must
   * return what `parse(bytes.toString('utf8', start, end), ctx)` returns
   * (event ids aside); it may skip lines without decoding them.
   */
  parseBytes?(bytes: Buffer, start: number, end: number, ctx: ParseContext): ParseOutcome;
}

export const SKIPPED: ParseOutcome = { skipped: true };
