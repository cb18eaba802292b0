// npm run fuzz: every fuzz property at full size (≥ 1M generated inputs in total), then the counts.
// Exits non-zero when a property failed or fewer than a million inputs ran.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-'));
const reportFile = join(dir, 'counts.ndjson');
const vitest = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/fuzz', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, VIGIL_FUZZ: 'full', VIGIL_FUZZ_REPORT: reportFile },
});
const totals = new Map();
if (existsSync(reportFile)) {
  for (const line of readFileSync(reportFile, 'utf8').split('\n').filter(Boolean)) {
    const { name, n } = JSON.parse(line);
    totals.set(name, (totals.get(name) ?? 0) + n);
  }
}
rmSync(dir, { recursive: true, force: true });
const total = [...totals.values()].reduce((a, b) => a + b, 0);
const failed = vitest.status !== 0;
console.log('\nfuzz summary');
for (const [name, n] of totals) console.log(`  ${name.padEnd(36)} ${String(n).padStart(9)}`);
console.log(`  ${'total generated inputs'.padEnd(36)} ${String(total).padStart(9)}`);
console.log(`  crashes / property failures: ${failed ? 'yes (see above)' : 0}`);
if (failed) process.exit(vitest.status ?? 1);
if (total < 1_000_000) {
  console.error(`fewer than 1,000,000 inputs ran (${total})`);
  process.exit(1);
}
