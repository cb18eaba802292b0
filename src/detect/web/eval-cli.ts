import { resolve } from 'node:path';
import { evaluate, formatReport } from './eval.js';

/**
 * `npm run eval:web [dataset.jsonl] [--misses N]`: prints per-class recall,
 * benign false-positive rate, the naive baseline and throughput.
 */
function main(argv: string[]): void {
  let dataset = resolve(process.cwd(), '../shared/data/web-attacks-dev.jsonl');
  let showMisses = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--misses') showMisses = Number(argv[++i] ?? '20');
    else dataset = resolve(process.cwd(), arg);
  }
  const result = evaluate(dataset);
  process.stdout.write(`${formatReport(result)}\n`);
  if (showMisses > 0) {
    for (const m of result.misses.slice(0, showMisses)) {
      process.stdout.write(`${m.sample.label}\t${m.predicted ?? '-'}\t${m.rule}\t${JSON.stringify(m.sample.payload).slice(0, 220)}\n`);
    }
  }
}

main(process.argv.slice(2));
