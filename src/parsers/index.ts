import { apacheParser, nginxParser } from './access-log.js';
import { ecsJsonParser } from './ecs-json.js';
import { journalJsonParser } from './journal-json.js';
import { nativeJsonParser } from './native-json.js';
import type { LineParser } from './parser.js';
import { springAuthParser } from './spring-auth.js';
import { sshdParser } from './sshd.js';
import { syslogParser } from './syslog.js';

/**
 * Parser registry: `--input <name>`. Auto-detection picks the parser that
 * recognises most sample lines; on a tie the earlier (more specific) wins.
 */
const registry: LineParser[] = [
  nativeJsonParser,
  ecsJsonParser,
  journalJsonParser,
  springAuthParser,
  nginxParser,
  apacheParser,
  sshdParser,
  syslogParser,
];

export const PARSER_NAMES = registry.map((p) => p.name);

export function getParser(name: string): LineParser | undefined {
  return registry.find((p) => p.name === name);
}

/** The parser that recognises most of the sample lines (at least one), or undefined. */
export function detectParser(sample: readonly string[]): LineParser | undefined {
  let best: LineParser | undefined;
  let bestHits = 0;
  const lines = sample.filter((l) => l.trim() !== '');
  for (const parser of registry) {
    let hits = 0;
    for (const line of lines) if (parser.detect(line)) hits++;
    if (hits > bestHits) {
      best = parser;
      bestHits = hits;
    }
  }
  return best;
}
