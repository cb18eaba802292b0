import { describe, expect, it } from 'vitest';
import { NAIVE_PATTERNS } from './eval.js';
import { WEB_PATTERNS } from './patterns.js';
import { classifyValue } from './classify.js';
import { compileCustomRules } from './custom-rules.js';

/**
 * ReDoS guard: every regular expression the classifier (and the eval
 * baseline) runs must finish quickly on adversarial 100 kB inputs. The bound
 * is deliberately generous: this is a safety net, not a benchmark.
 */
const N = 100_000;
const ADVERSARIAL: string[] = [
  'a'.repeat(N),
  `${'a'.repeat(N)}!`,
  '%'.repeat(N),
  `${' '.repeat(N)}x`,
  '<'.repeat(N),
  '{'.repeat(N),
  `{${'a,'.repeat(N / 2)}`,
  `{a,${'/'.repeat(N)}`,
  'A'.repeat(N) + '=',
  '/'.repeat(N),
  "'".repeat(N),
  '.'.repeat(N),
  '../'.repeat(N / 3),
  '\t'.repeat(N) + '\u0000',
  'union '.repeat(N / 6),
  'select '.repeat(N / 7),
  '0'.repeat(N),
];

function timeMs(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

describe('ReDoS guard', () => {
  const all = [...WEB_PATTERNS.map((p) => ({ name: p.name, pattern: p.pattern })), ...NAIVE_PATTERNS.map((p, i) => ({ name: `naive#${i}`, pattern: p.pattern }))];
  for (const { name, pattern } of all) {
    it(`${name} stays linear on adversarial input`, () => {
      const elapsed = timeMs(() => {
        for (const input of ADVERSARIAL) {
          const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
          re.test(input);
          input.replace(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`), '');
        }
      });
      expect(elapsed).toBeLessThan(1000);
    });
  }

  it('custom rule patterns that pass the load-time check stay fast', () => {
    const rules = compileCustomRules([
      { id: 'r1', class: 'sqli', pattern: 'union\\s+select' },
      { id: 'r2', class: 'xss', pattern: '<script[^>]*>' },
      { id: 'r3', class: 'cmdi', pattern: '(?:wget|curl)\\s+https?://' },
    ]);
    const elapsed = timeMs(() => {
      for (const input of ADVERSARIAL) classifyValue(input, { customRules: rules });
    });
    expect(elapsed).toBeLessThan(1000 * rules.length);
  });

  it('the whole classifier finishes on adversarial values', () => {
    const elapsed = timeMs(() => {
      for (const input of ADVERSARIAL) classifyValue(input, { maxValueLength: N });
    });
    expect(elapsed).toBeLessThan(10_000);
  });
});
