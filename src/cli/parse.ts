import { IdGenerator } from '../core/ids.js';
import type { ParseContext } from '../parsers/parser.js';
import { EXIT } from './exit-codes.js';
import { openInput, readLines, sampleLines, selectParser, UsageError } from './input.js';

export interface ParseCliOptions {
  input?: string;
  timeZone?: string;
}

/**
 * `vigil parse`: one JSON object per input line, in order —
 * {"line": n, "event": {…}} | {"line": n, "error": "…"} | {"line": n, "skipped": true} —
 * so a parser can be checked on one's own logs, as with fail2ban-regex.
 */
export async function runParse(file: string, options: ParseCliOptions): Promise<number> {
  try {
    const opened = await openInput(file);
    const { sample, stream } = await sampleLines(opened.stream);
    const parser = selectParser(options.input, sample);
    if (parser === undefined) return EXIT.USAGE;
    const ctx: ParseContext = { ids: new IdGenerator('ev'), now: () => Date.now(), timeZone: options.timeZone };
    let line = 0;
    let errors = 0;
    for await (const text of readLines(stream)) {
      line++;
      const outcome = text.trim() === '' ? { skipped: true as const } : parser.parse(text, ctx);
      let out: string;
      if (outcome.event !== undefined) out = JSON.stringify({ line, event: outcome.event });
      else if (outcome.error !== undefined) {
        errors++;
        out = JSON.stringify({ line, error: outcome.error });
      } else out = JSON.stringify({ line, skipped: true });
      if (!process.stdout.write(out + '\n')) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
    return errors > 0 ? EXIT.INPUT_ERRORS : EXIT.OK;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    process.stderr.write(`vigil parse: cannot read ${file}: ${(err as Error).message}\n`);
    return EXIT.FAILURE;
  }
}
