import { CustomRuleError, loadCustomRules, type CustomRule } from '../detect/web/custom-rules.js';
import { scanLines, type ScanInput } from '../detect/web/scan.js';
import { EXIT } from './exit-codes.js';
import { openInput, readLines } from './input.js';

export interface ScanCliOptions {
  input: ScanInput;
  rules?: string;
}

/** `vigil scan`: one JSON verdict per input line, in order (like fail2ban-regex or cscli explain). */
export async function runScan(file: string, options: ScanCliOptions): Promise<number> {
  let customRules: CustomRule[] = [];
  if (options.rules !== undefined) {
    try {
      customRules = loadCustomRules(options.rules);
    } catch (err) {
      process.stderr.write(`vigil scan: ${(err as Error).message}\n`);
      return err instanceof CustomRuleError ? EXIT.CONFIG : EXIT.FAILURE;
    }
  }
  try {
    const { stream } = await openInput(file);
    let pending = '';
    await scanLines(
      readLines(stream),
      options.input,
      (line) => {
        pending += line + '\n';
        if (pending.length >= 65_536) {
          process.stdout.write(pending);
          pending = '';
        }
      },
      { customRules },
    );
    process.stdout.write(pending);
    return EXIT.OK;
  } catch (err) {
    process.stderr.write(`vigil scan: cannot read ${file}: ${(err as Error).message}\n`);
    return EXIT.FAILURE;
  }
}
