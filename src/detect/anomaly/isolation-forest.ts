import { readFileSync, writeFileSync } from 'node:fs';
import { Prng } from './prng.js';

/**
 * Isolation forest (Liu, Ting & Zhou, 2008), written here because no
 * well-kept npm implementation exists. Deterministic: the same samples and
 * seed give the same trees (seeded mulberry32).
 *
 * Score: s(x) = 2^(−E[h(x)] / c(ψ)), with h the path length (plus c(size) at
 * a leaf holding `size` samples) and c(n) = 2·H(n−1) − 2(n−1)/n the average
 * unsuccessful-search path length of a BST. s ≈ 1: isolated quickly
 * (anomalous); s ≈ 0.5 or below: ordinary.
 *
 * scikit-learn scale: `score_samples(x) = −s(x)`, and
 * `decision_function(x) = score_samples(x) − offset_`, where offset_ is the
 * `contamination` percentile of score_samples over the training data
 * (contamination 0.1 → the 10th percentile), so 10 % of the training points
 * get a negative decision value. `decisionFunction` here reproduces that
 * scale. Its values are bounded: score_samples ∈ [−1, 0) and offset_ is
 * typically ≈ −0.5…−0.6, so decision_function lies roughly in −0.5…+0.5 and
 * reaches −0.5 only for points with s ≈ 1 — a threshold of −0.5 (the spec's)
 * almost never fires. See README in this folder; the threshold is configurable.
 */
export interface IsolationForestOptions {
  nTrees: number;
  /** ψ: samples per tree (capped at the data size). */
  subsampleSize: number;
  seed: number;
  /** Fraction of training points considered anomalous, for the sklearn offset. */
  contamination: number;
}

export const DEFAULT_FOREST_OPTIONS: IsolationForestOptions = { nTrees: 100, subsampleSize: 256, seed: 42, contamination: 0.1 };

/** Tree nodes in flat arrays: feature < 0 marks a leaf whose `size` is in threshold. */
interface FlatTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
}

export interface IsolationForestModel {
  format: 'vigil-isolation-forest';
  version: 1;
  options: IsolationForestOptions;
  features: number;
  /** ψ actually used. */
  subsample: number;
  offset: number;
  trees: FlatTree[];
}

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful BST search among n points: c(2) = 1, c(256) ≈ 10.24. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  const harmonic = Math.log(n - 1) + EULER_GAMMA;
  return 2 * harmonic - (2 * (n - 1)) / n;
}

export class IsolationForest {
  private constructor(private readonly model: IsolationForestModel) {}

  static train(samples: readonly (readonly number[])[], options: Partial<IsolationForestOptions> = {}): IsolationForest {
    const opts = { ...DEFAULT_FOREST_OPTIONS, ...options };
    if (samples.length < 2) throw new RangeError('isolation forest needs at least 2 samples');
    const features = (samples[0] as readonly number[]).length;
    const rng = new Prng(opts.seed);
    const psi = Math.min(opts.subsampleSize, samples.length);
    const heightLimit = Math.ceil(Math.log2(Math.max(2, psi)));
    const trees: FlatTree[] = [];
    const indices = samples.map((_, i) => i);
    for (let t = 0; t < opts.nTrees; t++) {
      // Sample ψ points without replacement (partial Fisher–Yates).
      for (let i = 0; i < psi; i++) {
        const j = i + Math.floor(rng.next() * (indices.length - i));
        const tmp = indices[i] as number;
        indices[i] = indices[j] as number;
        indices[j] = tmp;
      }
      const tree: FlatTree = { feature: [], threshold: [], left: [], right: [] };
      build(tree, samples, indices.slice(0, psi), 0, heightLimit, features, rng);
      trees.push(tree);
    }
    const model: IsolationForestModel = { format: 'vigil-isolation-forest', version: 1, options: opts, features, subsample: psi, offset: 0, trees };
    const forest = new IsolationForest(model);
    // sklearn: offset_ = percentile(score_samples(X), 100 * contamination).
    const scores = samples.map((x) => -forest.score(x)).sort((a, b) => a - b);
    model.offset = percentile(scores, 100 * opts.contamination);
    return forest;
  }

  static fromJSON(json: unknown): IsolationForest {
    const model = json as IsolationForestModel;
    if (model === null || typeof model !== 'object' || model.format !== 'vigil-isolation-forest' || model.version !== 1) {
      throw new ModelFormatError('not a Vigil isolation-forest model (format vigil-isolation-forest, version 1)');
    }
    if (!Array.isArray(model.trees) || typeof model.subsample !== 'number' || typeof model.offset !== 'number') {
      throw new ModelFormatError('isolation-forest model is missing trees, subsample or offset');
    }
    return new IsolationForest(model);
  }

  static load(path: string): IsolationForest {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ModelFormatError(`cannot read model ${path}: ${(err as Error).message}`);
    }
    try {
      return IsolationForest.fromJSON(JSON.parse(text));
    } catch (err) {
      if (err instanceof ModelFormatError) throw err;
      throw new ModelFormatError(`model ${path} is not JSON: ${(err as Error).message}`);
    }
  }

  get features(): number {
    return this.model.features;
  }

  get offset(): number {
    return this.model.offset;
  }

  toJSON(): IsolationForestModel {
    return this.model;
  }

  save(path: string): void {
    writeFileSync(path, JSON.stringify(this.model));
  }

  /** Mean path length of x over the trees. */
  meanPathLength(x: readonly number[]): number {
    let total = 0;
    for (const tree of this.model.trees) total += pathLength(tree, x);
    return total / this.model.trees.length;
  }

  /** The paper's anomaly score s ∈ (0, 1]: higher is more anomalous. */
  score(x: readonly number[]): number {
    return Math.pow(2, -this.meanPathLength(x) / averagePathLength(this.model.subsample));
  }

  /** scikit-learn's score_samples: −s. */
  scoreSamples(x: readonly number[]): number {
    return -this.score(x);
  }

  /** scikit-learn's decision_function: score_samples − offset_; negative = outlier at the training contamination. */
  decisionFunction(x: readonly number[]): number {
    return -this.score(x) - this.model.offset;
  }
}

export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

function build(
  tree: FlatTree,
  samples: readonly (readonly number[])[],
  rows: number[],
  depth: number,
  limit: number,
  features: number,
  rng: Prng,
): number {
  const node = tree.feature.length;
  tree.feature.push(-1);
  tree.threshold.push(rows.length);
  tree.left.push(-1);
  tree.right.push(-1);
  if (depth >= limit || rows.length <= 1) return node;
  // Pick a random feature that still varies among these rows (as sklearn's ExtraTree does).
  const order = Array.from({ length: features }, (_, i) => i);
  for (let k = 0; k < features; k++) {
    const pickAt = k + Math.floor(rng.next() * (features - k));
    const f = order[pickAt] as number;
    order[pickAt] = order[k] as number;
    order[k] = f;
    let min = Infinity;
    let max = -Infinity;
    for (const r of rows) {
      const v = (samples[r] as readonly number[])[f] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (!(max > min)) continue;
    const split = min + rng.next() * (max - min);
    const leftRows: number[] = [];
    const rightRows: number[] = [];
    for (const r of rows) (((samples[r] as readonly number[])[f] as number) < split ? leftRows : rightRows).push(r);
    tree.feature[node] = f;
    tree.threshold[node] = split;
    tree.left[node] = build(tree, samples, leftRows, depth + 1, limit, features, rng);
    tree.right[node] = build(tree, samples, rightRows, depth + 1, limit, features, rng);
    return node;
  }
  return node; // all rows identical: a leaf
}

function pathLength(tree: FlatTree, x: readonly number[]): number {
  let node = 0;
  let depth = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return depth + averagePathLength(tree.threshold[node] as number);
    node = ((x[f] as number) < (tree.threshold[node] as number) ? tree.left[node] : tree.right[node]) as number;
    depth++;
  }
}

/** Linear-interpolated percentile (numpy's default) of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}
