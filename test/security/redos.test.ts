import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Catastrophic-backtracking detector for every regular expression in src/.
 *
 * The TypeScript compiler API finds each regex literal and each
 * `new RegExp(…)`/`RegExp(…)` with a literal pattern. Each is run against
 * adversarial inputs built from its own characters (every literal and class
 * member repeated 50,000 times, runs of its literal text repeated, each
 * followed by a character that makes the match fail). A single match taking
 * more than a second fails the test: only exponential or polynomial blow-up
 * gets there on 50 k characters, so this is a blow-up detector, not a speed
 * assertion. Patterns built at run time are listed in DYNAMIC with the reason
 * they are safe; a new one fails the test until it is reviewed.
 */
const ROOT = new URL('../../src/', import.meta.url).pathname;
const N = 50_000;
const LIMIT_MS = 1000;

/** Patterns built from non-literal text, and why they cannot blow up. */
const DYNAMIC: Record<string, string> = {
  'detect/web/custom-rules.ts': 'operator rules: compileCustomRules checks each pattern against adversarial input at load time (redos.test.ts beside it)',
  'enrich/user-agent.ts': 'an alternation of escaped constant tokens (no quantifiers)',
  'respond/scorer.ts': 'an alternation of configured tokens, every metacharacter escaped (no quantifiers)',
};

interface Found {
  file: string;
  line: number;
  source: string;
  flags: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function literalText(node: ts.Node | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return undefined;
}

function collect(): { found: Found[]; dynamic: { file: string; line: number }[] } {
  const found: Found[] = [];
  const dynamic: { file: string; line: number }[] = [];
  for (const path of sourceFiles(ROOT)) {
    const file = relative(ROOT, path);
    const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
    const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText();
        const end = text.lastIndexOf('/');
        found.push({ file, line: lineOf(node), source: text.slice(1, end), flags: text.slice(end + 1) });
      } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
        const pattern = literalText(node.arguments?.[0]);
        const flags = node.arguments?.[1] === undefined ? '' : literalText(node.arguments[1]);
        if (pattern !== undefined && flags !== undefined) found.push({ file, line: lineOf(node), source: pattern, flags });
        else dynamic.push({ file, line: lineOf(node) });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { found, dynamic };
}

const CLASS_SAMPLES: Record<string, string> = { d: '0', D: 'a', w: 'a', W: '-', s: ' ', S: 'x', b: '', B: '', n: '\n', r: '\r', t: '\t' };

/** Characters and literal runs of a pattern (roughly: escapes resolved, class ranges' ends, literals). */
function alphabet(source: string): { chars: string[]; runs: string[] } {
  const chars = new Set<string>(['a', '0', ' ', '.', '/', '\\', '"', "'", '=', ':', '-', '\t']);
  const runs: string[] = [];
  let run = '';
  const endRun = () => {
    if (run.length >= 2) runs.push(run);
    run = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      i++;
      if (next in CLASS_SAMPLES) {
        const sample = CLASS_SAMPLES[next] as string;
        if (sample !== '') chars.add(sample);
        endRun();
      } else if (next === 'x' || next === 'u') {
        endRun();
      } else {
        chars.add(next);
        run += next;
      }
    } else if ('()[]{}|?*+^$'.includes(c)) {
      endRun();
    } else {
      chars.add(c);
      run += c;
    }
  }
  endRun();
  return { chars: [...chars], runs: [...new Set(runs)].slice(0, 12) };
}

function adversarialInputs(source: string): string[] {
  const { chars, runs } = alphabet(source);
  const inputs: string[] = [];
  for (const c of chars) inputs.push(c.repeat(N) + '\u0000');
  for (const r of runs) inputs.push(r.repeat(Math.ceil(N / r.length)) + '\u0000');
  // Alternating pairs of the pattern's characters (a, b, a, b, …) catch (a|ab)*-style overlaps.
  for (let i = 0; i + 1 < Math.min(chars.length, 10); i++) inputs.push((chars[i] + (chars[i + 1] as string)).repeat(N / 2) + '\u0000');
  return inputs;
}

describe('ReDoS: every regular expression in src/ survives adversarial input', () => {
  const { found, dynamic } = collect();

  it('finds the code base\'s regular expressions (not vacuous) and every dynamic one is reviewed', () => {
    expect(found.length).toBeGreaterThan(60);
    const unreviewed = dynamic.filter((d) => DYNAMIC[d.file] === undefined);
    expect(unreviewed, 'new RegExp(<non-literal>): review it for catastrophic backtracking and add it to DYNAMIC').toEqual([]);
  });

  for (const regex of found) {
    it(`${regex.file}:${regex.line} /${regex.source.length > 60 ? regex.source.slice(0, 60) + '…' : regex.source}/${regex.flags}`, () => {
      // Without g/y every test() scans from each start position: the worst case.
      const re = new RegExp(regex.source, regex.flags.replace(/[gy]/g, ''));
      let worst = 0;
      let worstInput = '';
      for (const input of adversarialInputs(regex.source)) {
        const started = performance.now();
        re.test(input);
        const elapsed = performance.now() - started;
        if (elapsed > worst) {
          worst = elapsed;
          worstInput = input.slice(0, 20);
        }
        if (elapsed > LIMIT_MS) break;
      }
      expect(worst, `blow-up on input starting ${JSON.stringify(worstInput)}`).toBeLessThan(LIMIT_MS);
    });
  }
});
