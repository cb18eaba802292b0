import { appendFileSync } from 'node:fs';
import fc from 'fast-check';

/**
 * How many inputs each fuzz property gets. `npm test` runs a small number
 * (500 per property); `npm run fuzz` sets VIGIL_FUZZ=full and runs at least a
 * million inputs in total. Every property records how many inputs it ran so
 * the fuzz run can print the total.
 */
export const FULL = process.env.VIGIL_FUZZ === 'full';

/** Runs for a property: `small` under npm test, `full` under npm run fuzz. */
export function runs(full: number, small = 500): number {
  return FULL ? full : small;
}

/** No per-test time limit in a full run (it takes minutes). */
export const TIMEOUT_MS = FULL ? 3_600_000 : 60_000;

/**
 * fc.assert in chunks of 2,000 runs (each with its own seed), yielding to
 * the event loop between them: a long synchronous run would block the test
 * worker's messages to vitest, which then reports a timeout.
 */
export async function assertInChunks<T>(property: fc.IProperty<T>, numRuns: number): Promise<void> {
  const chunk = 2000;
  for (let done = 0; done < numRuns; done += chunk) {
    fc.assert(property, { numRuns: Math.min(chunk, numRuns - done) });
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const counts = new Map<string, number>();

export function counted(name: string, n: number): void {
  counts.set(name, (counts.get(name) ?? 0) + n);
}

/** Full runs append their counts here (scripts/fuzz.mjs sums them over the files). */
export function writeReport(): void {
  const file = process.env.VIGIL_FUZZ_REPORT;
  if (file === undefined || file === '') return;
  for (const [name, n] of counts) appendFileSync(file, JSON.stringify({ name, n }) + '\n');
}

export function report(): string {
  let total = 0;
  const lines: string[] = [];
  for (const [name, n] of counts) {
    total += n;
    lines.push(`  ${name}: ${n}`);
  }
  return `fuzz inputs: ${total} in total, crashes: 0\n${lines.join('\n')}`;
}
