import { describe, expect, it } from 'vitest';
import { absPercentile, applySign, displayMaps } from './compareDisplay';
import type { CompareRun } from './compareSlice';

function done(values: number[], shape: number[]): CompareRun {
  return { runId: 1, status: 'done', progress: 1, target: 0, requested: {}, relevance: Float32Array.from(values), shape };
}

describe('applySign', () => {
  const v = Float32Array.from([-2, -0.5, 0, 1, 3]);
  it('keeps, clips or folds the sign', () => {
    expect(Array.from(applySign(v, 'all'))).toEqual([-2, -0.5, 0, 1, 3]);
    expect(Array.from(applySign(v, 'positive'))).toEqual([0, 0, 0, 1, 3]);
    expect(Array.from(applySign(v, 'negative'))).toEqual([-2, -0.5, 0, 0, 0]);
    expect(Array.from(applySign(v, 'absolute'))).toEqual([2, 0.5, 0, 1, 3]);
  });
});

describe('absPercentile', () => {
  it('is the nearest-rank percentile of |v|', () => {
    // |v| = 1..100: the 99th percentile is 99, the 100th is the maximum.
    const v = Array.from({ length: 100 }, (_, i) => (i % 2 ? -(i + 1) : i + 1));
    expect(absPercentile(v, 99)).toBe(99);
    expect(absPercentile(v, 100)).toBe(100);
    expect(absPercentile([], 99)).toBe(0);
  });
});

describe('displayMaps', () => {
  // Two 2x2 maps; "b" has 2 channels, summed per pixel (core/image/display.reduceChannels).
  const runs: Record<string, CompareRun> = {
    a: done([1, -4, 2, 0.5], [1, 2, 2, 1]),
    b: done([1, 1, -0.25, 0, 0.1, 0.1, 0, 0], [1, 2, 2, 2]),
    c: { runId: 2, status: 'running', progress: 0.5, target: 0, requested: {} },
  };

  it('per map: each map its own ±max |R|; a run without relevance yet has no map', () => {
    const maps = displayMaps(runs, ['a', 'b', 'c'], 'per-map', 'all');
    expect(Object.keys(maps)).toEqual(['a', 'b']);
    expect(maps.a).toMatchObject({ width: 2, height: 2, limit: 4, min: -4, max: 2 });
    expect(Array.from(maps.b.values)).toEqual([2, -0.25, Math.fround(0.2), 0]);
    expect(maps.b.limit).toBe(2);
  });

  it('gives the same arrays again for the same runs and sign, so unchanged heatmaps are not redrawn', () => {
    const first = displayMaps(runs, ['a', 'b'], 'per-map', 'all');
    const again = displayMaps({ ...runs, c: { ...runs.c, progress: 0.75 } }, ['a', 'b'], 'shared', 'all');
    expect(again.a.values).toBe(first.a.values);
    expect(again.b.values).toBe(first.b.values);
    expect(displayMaps(runs, ['a'], 'per-map', 'absolute').a.values).not.toBe(first.a.values);
  });

  it('shared: the largest |R| of the grid for every map', () => {
    const maps = displayMaps(runs, ['a', 'b'], 'shared', 'all');
    expect([maps.a.limit, maps.b.limit]).toEqual([4, 4]);
    // Positive part only: a's largest is 2, b's is 2.
    const positive = displayMaps(runs, ['a', 'b'], 'shared', 'positive');
    expect([positive.a.limit, positive.b.limit]).toEqual([2, 2]);
  });

  it('percentile: clipped at the 99th percentile of |R|, below the maximum of a map with one outlier', () => {
    const values = Array.from({ length: 400 }, (_, i) => (i === 7 ? 50 : (i % 10) / 10));
    const maps = displayMaps({ x: done(values, [1, 20, 20, 1]) }, ['x'], 'percentile', 'all');
    expect(maps.x.max).toBe(50);
    expect(maps.x.limit).toBeCloseTo(0.9, 6);
  });
});
