import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { averagePathLength, IsolationForest, ModelFormatError } from './isolation-forest.js';
import { Prng } from './prng.js';

function cluster(n: number, seed: number): number[][] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => [rng.normal(0, 1), rng.normal(0, 1), rng.normal(5, 0.5)]);
}

describe('IsolationForest', () => {
  it('c(n) is the average BST path length', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3);
    expect(averagePathLength(100)).toBeCloseTo(8.3647, 3);
  });

  it('isolated points score higher than the dense cluster', () => {
    const forest = IsolationForest.train(cluster(1000, 1), { seed: 3 });
    const inlier = forest.score([0, 0, 5]);
    const outlier = forest.score([8, -8, 0]);
    expect(outlier).toBeGreaterThan(0.6);
    expect(inlier).toBeLessThan(0.5);
    expect(forest.decisionFunction([8, -8, 0])).toBeLessThan(0);
    expect(forest.decisionFunction([0, 0, 5])).toBeGreaterThan(0);
  });

  it('offset makes about `contamination` of the training set negative', () => {
    const data = cluster(500, 2);
    const forest = IsolationForest.train(data, { seed: 5, contamination: 0.1 });
    const negative = data.filter((x) => forest.decisionFunction(x) < 0).length;
    expect(negative).toBeGreaterThanOrEqual(45);
    expect(negative).toBeLessThanOrEqual(55);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const data = cluster(300, 4);
    const a = IsolationForest.train(data, { seed: 9 });
    const b = IsolationForest.train(data, { seed: 9 });
    const c = IsolationForest.train(data, { seed: 10 });
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    expect(a.score([3, 3, 3])).not.toBe(c.score([3, 3, 3]));
  });

  it('saves and loads a model that scores identically', () => {
    const forest = IsolationForest.train(cluster(300, 6), { seed: 1, nTrees: 20 });
    const path = join(mkdtempSync(join(tmpdir(), 'vigil-if-')), 'model.json');
    forest.save(path);
    const loaded = IsolationForest.load(path);
    for (const x of [[0, 0, 5], [4, 4, 4], [-9, 1, 2]]) expect(loaded.decisionFunction(x)).toBe(forest.decisionFunction(x));
    expect(() => IsolationForest.fromJSON({ format: 'other' })).toThrow(ModelFormatError);
  });
});
