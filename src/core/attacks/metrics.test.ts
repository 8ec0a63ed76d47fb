// The fragility measures against values worked out by hand.
import { describe, expect, it } from 'vitest';
import { centreOfMass, compareMaps, defaultTopK, massCentreShift, pixelMagnitude, topKIndices, topKIntersection } from './metrics';
import { checkEpsilon, clipTargetRegion, parseAttackParams, attackStep } from './params';

describe('fragility metrics', () => {
  it('top-k intersection: 2 of the original top 3 stay (2/3); ties go to the lower index', () => {
    // Top 3 before: indices 0, 1, 2. After: values 5 (2), 4 (1), 3 (5) → {1, 2, 5}.
    expect(topKIntersection([5, 4, 3, 2, 1, 0], [0, 4, 5, 1, 2, 3], 3)).toBeCloseTo(2 / 3, 12);
    expect(topKIndices([1, 1, 0, 0], 1)).toEqual([0]);
    expect(topKIndices([0, 2, 2, 1], 2)).toEqual([1, 2]);
    expect(defaultTopK(784)).toBe(78);
    expect(() => topKIndices([1, 2], 3)).toThrow('k must be a whole number from 1 to 2 (the number of pixels); got 3.');
  });

  it('pixel magnitude sums |R| over channels', () => {
    expect(Array.from(pixelMagnitude([1, -2, -3, 4], [1, 2, 2]))).toEqual([3, 7]);
  });

  it('centre of mass and its shift: (0.625, 0.625) → (0.6, 0.7) is 0.0790569 pixels; an empty map sits in the middle', () => {
    expect(centreOfMass([1, 2, 2, 3], 2, 2)).toEqual({ row: 0.625, col: 0.625 });
    expect(centreOfMass([1, 3, 2, 4], 2, 2)).toEqual({ row: 0.6, col: 0.7 });
    expect(massCentreShift([1, 2, 2, 3], [1, 3, 2, 4], 2, 2)).toBeCloseTo(Math.hypot(0.025, 0.075), 12);
    expect(centreOfMass([0, 0, 0, 0, 0, 0], 2, 3)).toEqual({ row: 0.5, col: 1 });
  });

  it('compareMaps on signed maps: Spearman with a tie is 3/√10 (ranks 1, 2.5, 2.5, 4 against 1, 3, 2, 4)', () => {
    const m = compareMaps([1, -2, 2, 3], [1, 3, -2, 4], [2, 2, 1], 2);
    expect(m.spearman).toBeCloseTo(3 / Math.sqrt(10), 12);
    // Top 2 before: 3 (index 3), then the tie 2/2 → index 1; after: 4 (3), 3 (1).
    expect(m.topkIntersection).toBe(1);
    expect(m.massCentreShift).toBeCloseTo(Math.hypot(0.025, 0.075), 12);
    // SSIM needs 3 × 3 at least.
    expect(m.ssim).toBeNull();
    const same = compareMaps(Array.from({ length: 49 }, (_, i) => i % 7), Array.from({ length: 49 }, (_, i) => i % 7), [7, 7, 1], 5);
    expect(same).toEqual({ topkIntersection: 1, spearman: 1, massCentreShift: 0, ssim: 1 });
  });
});

describe('attack parameters', () => {
  it('defaults: top-k, ε = 8/255, 100 iterations, β = 20, step ε·4/iterations', () => {
    const p = parseAttackParams({});
    expect(p).toMatchObject({ attack: 'topk', epsilon: 8 / 255, iterations: 100, beta: 20, kind: 'auto', k: 0, seed: 0 });
    expect(attackStep(p)).toBeCloseTo((8 / 255) / 25, 15);
    expect(attackStep({ epsilon: 0.1, iterations: 2, step: 0 })).toBe(0.1);
  });

  it('refuses a bad ε, an empty region and an unknown attack with the rule', () => {
    expect(() => parseAttackParams({ epsilon: 0 })).toThrow('Attack parameter epsilon: Too small: expected number to be >0; got 0.');
    expect(() => parseAttackParams({ attack: 'blur' })).toThrow('Attack parameter attack: must be one of topk, masscenter, targeted; got "blur".');
    expect(() => checkEpsilon(2, [0, 1])).toThrow('ε = 2 is larger than the input range [0, 1] (width 1)');
    expect(() => checkEpsilon(-1, [0, 1])).toThrow('ε must be greater than 0; got -1.');
    expect(() => clipTargetRegion({ x0: 5, y0: 0, x1: 5, y1: 3 }, 28, 28)).toThrow('The target region x 5–5, y 0–3 (half-open, in pixels) holds no pixel of the 28 × 28 image');
    expect(() => clipTargetRegion({ x0: 30, y0: 0, x1: 40, y1: 3 }, 28, 28)).toThrow('holds no pixel');
    expect(clipTargetRegion({ x0: -2, y0: 20, x1: 3, y1: 40 }, 28, 28)).toEqual({ x0: 0, y0: 20, x1: 3, y1: 28 });
  });
});
