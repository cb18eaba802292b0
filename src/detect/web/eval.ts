import { readFileSync } from 'node:fs';
import { IdGenerator } from '../../core/ids.js';
import { nginxParser } from '../../parsers/access-log.js';
import type { ParseContext } from '../../parsers/parser.js';
import { classifyHttp, classifyValue, splitQuery } from './classify.js';
import type { WebAttackClass, WebVerdict } from './types.js';

/**
 * Evaluation on a labelled JSONL set (`{payload, label, source, form}`):
 * recall per attack class (exact class match), benign false-positive rate,
 * for the classifier and for a naive-regex baseline.
 */

export type EvalLabel = WebAttackClass | 'benign';
export const EVAL_LABELS: readonly EvalLabel[] = ['sqli', 'xss', 'traversal', 'cmdi', 'benign'];

export interface EvalSample {
  payload: string;
  label: EvalLabel;
  source: string;
  form: 'raw' | 'nginx';
}

export interface ClassScore {
  label: EvalLabel;
  total: number;
  /** Attack classes: predicted exactly this class. Benign: predicted any attack (false positives). */
  hits: number;
  /** hits / total: recall for attacks, false-positive rate for benign. */
  rate: number;
}

export interface EvalReport {
  name: string;
  classes: ClassScore[];
  /** Correct predictions (class or benign) over all samples. */
  accuracy: number;
  /** Attack detected as some attack, over all attacks. */
  detectionRate: number;
}

export interface Miss {
  sample: EvalSample;
  predicted: WebAttackClass | null;
  rule: string;
}

export type Classifier = (sample: EvalSample) => WebAttackClass | null;

/** A naive baseline: the kind of regexes found in many WAF tutorials. */
export const NAIVE_PATTERNS: ReadonlyArray<{ attack: WebAttackClass; pattern: RegExp }> = [
  { attack: 'sqli', pattern: /union\s+select/i },
  { attack: 'sqli', pattern: /'\s*or\s*'?\d/i },
  { attack: 'sqli', pattern: /(select|insert|update|delete|drop)\s/i },
  { attack: 'sqli', pattern: /(--|#|\/\*)/ },
  { attack: 'xss', pattern: /<script/i },
  { attack: 'xss', pattern: /on(error|load|click|mouseover)\s*=/i },
  { attack: 'xss', pattern: /javascript:/i },
  { attack: 'traversal', pattern: /\.\.\//i },
  { attack: 'traversal', pattern: /\/etc\/passwd/i },
  { attack: 'cmdi', pattern: /[;|`]\s*(cat|ls|id|whoami|wget|curl)\b/i },
];

export function loadSamples(path: string): EvalSample[] {
  const out: EvalSample[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim().length === 0) continue;
    out.push(JSON.parse(line) as EvalSample);
  }
  return out;
}

function makeCtx(): ParseContext {
  return { ids: new IdGenerator('eval'), now: () => 0 };
}

/** The classifier under evaluation. */
export function vigilClassifier(): (sample: EvalSample) => WebVerdict {
  const ctx = makeCtx();
  return (sample) => {
    if (sample.form === 'raw') return classifyValue(sample.payload);
    const outcome = nginxParser.parse(sample.payload, ctx);
    if (outcome.event?.http === undefined) return classifyValue(sample.payload);
    return classifyHttp(outcome.event.http);
  };
}

/** The naive baseline, on URL-decoded values. */
export function naiveClassifier(): Classifier {
  const ctx = makeCtx();
  const decode = (v: string): string => {
    try {
      return decodeURIComponent(v.split('+').join(' '));
    } catch {
      return v;
    }
  };
  const check = (value: string): WebAttackClass | null => {
    for (const { attack, pattern } of NAIVE_PATTERNS) if (pattern.test(value)) return attack;
    return null;
  };
  return (sample) => {
    if (sample.form === 'raw') return check(decode(sample.payload));
    const outcome = nginxParser.parse(sample.payload, ctx);
    const http = outcome.event?.http;
    if (http === undefined) return check(sample.payload);
    for (const value of [http.path ?? '', ...splitQuery(http.query ?? '')]) {
      const hit = check(decode(value));
      if (hit !== null) return hit;
    }
    return null;
  };
}

export function score(name: string, samples: readonly EvalSample[], classify: Classifier, misses?: Miss[]): EvalReport {
  const totals = new Map<EvalLabel, { total: number; hits: number }>(EVAL_LABELS.map((l) => [l, { total: 0, hits: 0 }]));
  let correct = 0;
  let attacks = 0;
  let detected = 0;
  for (const sample of samples) {
    const predicted = classify(sample);
    const t = totals.get(sample.label);
    if (t === undefined) continue;
    t.total++;
    if (sample.label === 'benign') {
      if (predicted !== null) t.hits++;
      else correct++;
      if (predicted !== null) misses?.push({ sample, predicted, rule: '' });
    } else {
      attacks++;
      if (predicted !== null) detected++;
      if (predicted === sample.label) {
        t.hits++;
        correct++;
      } else {
        misses?.push({ sample, predicted, rule: '' });
      }
    }
  }
  const classes = EVAL_LABELS.map((label) => {
    const t = totals.get(label) ?? { total: 0, hits: 0 };
    return { label, total: t.total, hits: t.hits, rate: t.total === 0 ? 0 : t.hits / t.total };
  });
  return { name, classes, accuracy: samples.length === 0 ? 0 : correct / samples.length, detectionRate: attacks === 0 ? 0 : detected / attacks };
}

export interface Evaluation {
  vigil: EvalReport;
  baseline: EvalReport;
  misses: Miss[];
  /** Values per second, one core, classifier only (parsing excluded), over all raw values of the set. */
  throughput: number;
  /** The same over the benign raw values only (the common case in real traffic). */
  benignThroughput: number;
  samples: number;
}

/** Evaluate the classifier and the naive baseline on a dataset file. */
export function evaluate(datasetPath: string): Evaluation {
  const samples = loadSamples(datasetPath);
  const vigil = vigilClassifier();
  const misses: Miss[] = [];
  const rules = new Map<EvalSample, string>();
  const report = score('vigil', samples, (s) => {
    const v = vigil(s);
    rules.set(s, v.rule);
    return v.attack;
  }, misses);
  for (const m of misses) m.rule = rules.get(m.sample) ?? '';
  const baseline = score('naive regex', samples, naiveClassifier());
  return {
    vigil: report,
    baseline,
    misses,
    throughput: measureThroughput(samples),
    benignThroughput: measureThroughput(samples.filter((s) => s.label === 'benign')),
    samples: samples.length,
  };
}

/** Classify the raw values in a loop for about a second; values per second. */
export function measureThroughput(samples: readonly EvalSample[], budgetMs = 1000): number {
  const values = samples.filter((s) => s.form === 'raw').map((s) => s.payload);
  if (values.length === 0) return 0;
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (const v of values) classifyValue(v);
    n += values.length;
    elapsed = performance.now() - start;
  }
  return n / (elapsed / 1000);
}

export function formatReport(e: Evaluation): string {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const rows: string[] = [];
  rows.push(`samples: ${e.samples}`);
  rows.push(`${'class'.padEnd(10)} ${'n'.padStart(6)}  ${'vigil'.padStart(9)}  ${'naive'.padStart(9)}`);
  for (let i = 0; i < e.vigil.classes.length; i++) {
    const v = e.vigil.classes[i] as ClassScore;
    const b = e.baseline.classes[i] as ClassScore;
    const label = v.label === 'benign' ? 'benign FPR' : `${v.label} rec.`;
    rows.push(`${label.padEnd(10)} ${String(v.total).padStart(6)}  ${pct(v.rate).padStart(9)}  ${pct(b.rate).padStart(9)}`);
  }
  rows.push(`${'detected'.padEnd(10)} ${''.padStart(6)}  ${pct(e.vigil.detectionRate).padStart(9)}  ${pct(e.baseline.detectionRate).padStart(9)}`);
  rows.push(`${'accuracy'.padEnd(10)} ${''.padStart(6)}  ${pct(e.vigil.accuracy).padStart(9)}  ${pct(e.baseline.accuracy).padStart(9)}`);
  rows.push(`throughput: ${Math.round(e.throughput).toLocaleString('en-US')} values/s over all raw values, ${Math.round(e.benignThroughput).toLocaleString('en-US')} values/s over benign raw values (one core)`);
  return rows.join('\n');
}
