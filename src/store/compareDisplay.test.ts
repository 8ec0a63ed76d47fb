import { describe, expect, it } from 'vitest';
import { absPercentile, applySign, displayMaps, unitsOf } from './compareDisplay';
import { GRADIENT_UNIT, LOGIT_DROP, LOGIT_PER_INPUT, LOGIT_PER_INPUT_SQUARED, LOGIT_SHARE, MASK_UNIT, type RelevanceUnit } from '../core/methods/units';

/** What displayMaps reads of a run. */
type MapRun = { relevance?: Float32Array; shape?: number[] };

function done(values: number[], shape: number[]): MapRun {
  return { relevance: Float32Array.from(values), shape };
}

/** One unit for every map of the cases below that compare one kind of map. */
const ONE: Record<string, RelevanceUnit> = { a: LOGIT_SHARE, b: LOGIT_SHARE, c: LOGIT_SHARE, x: LOGIT_SHARE };

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
  const runs: Record<string, MapRun> = {
    a: done([1, -4, 2, 0.5], [1, 2, 2, 1]),
    b: done([1, 1, -0.25, 0, 0.1, 0.1, 0, 0], [1, 2, 2, 2]),
    c: {}, // running, no relevance yet
  };

  it('per map: each map its own ±max |R|; a run without relevance yet has no map', () => {
    const maps = displayMaps(runs, ['a', 'b', 'c'], ONE, 'per-map', 'all');
    expect(Object.keys(maps)).toEqual(['a', 'b']);
    expect(maps.a).toMatchObject({ width: 2, height: 2, limit: 4, min: -4, max: 2 });
    expect(Array.from(maps.b.values)).toEqual([2, -0.25, Math.fround(0.2), 0]);
    expect(maps.b.limit).toBe(2);
  });

  it('gives the same arrays again for the same runs and sign, so unchanged heatmaps are not redrawn', () => {
    const first = displayMaps(runs, ['a', 'b'], ONE, 'per-map', 'all');
    const again = displayMaps({ ...runs, c: {} }, ['a', 'b'], ONE, 'shared', 'all');
    expect(again.a.values).toBe(first.a.values);
    expect(again.b.values).toBe(first.b.values);
    expect(displayMaps(runs, ['a'], ONE, 'per-map', 'absolute').a.values).not.toBe(first.a.values);
  });

  it('shared, one unit: the largest |R| of those maps for every map', () => {
    const maps = displayMaps(runs, ['a', 'b'], ONE, 'shared', 'all');
    expect([maps.a.limit, maps.b.limit]).toEqual([4, 4]);
    // Positive part only: a's largest is 2, b's is 2.
    const positive = displayMaps(runs, ['a', 'b'], ONE, 'shared', 'positive');
    expect([positive.a.limit, positive.b.limit]).toEqual([2, 2]);
  });

  it('percentile: clipped at the 99th percentile of |R|, below the maximum of a map with one outlier', () => {
    const values = Array.from({ length: 400 }, (_, i) => (i === 7 ? 50 : (i % 10) / 10));
    const maps = displayMaps({ x: done(values, [1, 20, 20, 1]) }, ['x'], ONE, 'percentile', 'all');
    expect(maps.x.max).toBe(50);
    expect(maps.x.limit).toBeCloseTo(0.9, 6);
  });

  it('shared: within a unit only; each unit its own largest |R|; the mask keeps its fixed 0…1', () => {
    const grid: Record<string, MapRun> = {
      occlusion: done([5.3, -1, 0, 2], [1, 2, 2, 1]),
      gradient: done([0.2, -1, 0.5, 0], [1, 2, 2, 1]),
      smoothgrad: done([0.1, 0.3, -0.05, 0], [1, 2, 2, 1]),
      ig: done([0.5, -0.25, 0, 0], [1, 2, 2, 1]),
      rde: done([0.25, 0.5, 1, 0], [1, 2, 2, 1]),
    };
    const units = { occlusion: LOGIT_DROP, gradient: LOGIT_PER_INPUT, smoothgrad: LOGIT_PER_INPUT, ig: LOGIT_SHARE, rde: MASK_UNIT };
    const maps = displayMaps(grid, Object.keys(grid), units, 'shared', 'all');
    expect(Object.fromEntries(Object.entries(maps).map(([id, m]) => [id, [m.limit, m.sharedBy]]))).toEqual({
      occlusion: [Math.fround(5.3), 1], gradient: [1, 2], smoothgrad: [1, 2], ig: [0.5, 1], rde: [1, 1],
    });
    // Per map and percentile: the mask stays on 0…1 even where its own maximum is below 1.
    const half = { rde: done([0.25, 0.5, 0, 0], [1, 2, 2, 1]) };
    expect(displayMaps(half, ['rde'], units, 'per-map', 'all').rde.limit).toBe(1);
    expect(displayMaps(half, ['rde'], units, 'percentile', 'absolute').rde.limit).toBe(1);
  });

  it('a mask with channels is averaged, so it stays in 0…1; relevance is summed', () => {
    const twoChannels = { m: done([1, 0.5, 0, 0, 1, 1, 0.5, 0.5], [1, 2, 2, 2]) };
    expect(Array.from(displayMaps(twoChannels, ['m'], { m: MASK_UNIT }, 'per-map', 'all').m.values)).toEqual([0.75, 0, 1, 0.5]);
  });
});

describe('unitsOf', () => {
  it('the method\'s unit, or the one its run\'s parameters select', () => {
    const methods = [{ id: 'gradient', unit: GRADIENT_UNIT }, { id: 'smoothgrad', unit: GRADIENT_UNIT }, { id: 'rde', unit: MASK_UNIT }];
    const units = unitsOf(methods, { gradient: { params: { variant: 'squared' } }, smoothgrad: { requested: { variant: 'plain' } } });
    expect(units.gradient).toEqual(LOGIT_PER_INPUT_SQUARED);
    expect(units.smoothgrad).toEqual(LOGIT_PER_INPUT);
    expect(units.rde).toEqual(MASK_UNIT);
  });
});
