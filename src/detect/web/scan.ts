import { IdGenerator } from '../../core/ids.js';
import { apacheParser, nginxParser } from '../../parsers/access-log.js';
import type { LineParser, ParseContext } from '../../parsers/parser.js';
import { classifyHttp, classifyValue, type WebClassifierOptions } from './classify.js';
import type { WebVerdict } from './types.js';

export type ScanInput = 'raw' | 'nginx' | 'apache';

/** One output line of `vigil scan`. */
export type ScanRecord = ({ line: number } & WebVerdict) | { line: number; error: string };

const PARSERS: Record<'nginx' | 'apache', LineParser> = { nginx: nginxParser, apache: apacheParser };

/** Classify one input line (`raw`: the line is a parameter value; otherwise an access-log line). */
export function scanLine(text: string, lineNumber: number, input: ScanInput, ctx: ParseContext, options: WebClassifierOptions = {}): ScanRecord {
  if (input === 'raw') {
    const v = classifyValue(text, options);
    return { line: lineNumber, attack: v.attack, confidence: v.confidence, rule: v.rule, evidence: v.evidence };
  }
  const outcome = PARSERS[input].parse(text, ctx);
  if (outcome.error !== undefined) return { line: lineNumber, error: outcome.error };
  if (outcome.skipped) return { line: lineNumber, attack: null, confidence: 0, rule: '', evidence: '' };
  const v = outcome.event.http === undefined ? classifyValue(outcome.event.labels.request ?? '', options) : classifyHttp(outcome.event.http, options);
  return { line: lineNumber, attack: v.attack, confidence: v.confidence, rule: v.rule, evidence: v.evidence };
}

/**
 * `vigil scan` core: one JSON verdict per input line, in input order, line
 * numbers from 1. Synchronous per line; only the iteration may be async.
 */
export async function scanLines(
  lines: AsyncIterable<string> | Iterable<string>,
  input: ScanInput,
  write: (line: string) => void,
  options: WebClassifierOptions = {},
): Promise<void> {
  const ctx: ParseContext = { ids: new IdGenerator('scan'), now: () => Date.now() };
  let n = 0;
  for await (const raw of lines) {
    n++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    write(JSON.stringify(scanLine(text, n, input, ctx, options)));
  }
}
