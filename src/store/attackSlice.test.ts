// The attack panel's pure helpers: ε from steps of 1/255 of the range, the range fallback, the
// target box's check (the core's clipping rule, core/attacks/params.ts) and δ per pixel.
import { describe, expect, it } from 'vitest';
import { clipTargetRegion } from '../core/attacks/params';
import { attackRange, epsilonInUnits, perturbation, targetRegionProblem } from './attackSlice';

describe('attack panel helpers', () => {
  it('ε in input units is epsilon255/255 of the range width; out-of-range values are refused with their reason', () => {
    expect(epsilonInUnits(8, [0, 1])).toEqual({ epsilon: 8 / 255 });
    // A model on [-1, 1]: the same 8 steps are twice as large in input units.
    expect(epsilonInUnits(8, [-1, 1])).toEqual({ epsilon: 16 / 255 });
    expect(epsilonInUnits(255, [0, 1])).toEqual({ epsilon: 1 });
    expect(epsilonInUnits(0, [0, 1])).toEqual({ problem: 'ε must be greater than 0 (got 0).' });
    expect(epsilonInUnits(-2, [0, 1])).toEqual({ problem: 'ε must be greater than 0 (got -2).' });
    expect(epsilonInUnits(Number.NaN, [0, 1])).toEqual({ problem: 'ε must be greater than 0 (got NaN).' });
    expect(epsilonInUnits(256, [0, 1])).toEqual({ problem: 'ε is at most 255/255, the whole input range (got 256/255).' });
    expect(epsilonInUnits(8, [0.5, 0.5])).toEqual({ problem: 'The input range [0.5, 0.5] is empty; nothing can be perturbed.' });
  });

  it('the range is the model\'s when stated, else the input\'s own min and max', () => {
    const pixels = Float32Array.from([0.25, -0.5, 3, 1]);
    expect(attackRange([0, 1], pixels)).toEqual([0, 1]);
    expect(attackRange(null, pixels)).toEqual([-0.5, 3]);
  });

  it('the target box is refused exactly when the core would refuse it', () => {
    const boxes = [
      { x0: 2, y0: 2, x1: 12, y1: 12 }, { x0: 2, y0: 2, x1: 2, y1: 12 }, { x0: 5, y0: 9, x1: 9, y1: 3 },
      { x0: -4, y0: -4, x1: 1, y1: 1 }, { x0: 27, y0: 27, x1: 40, y1: 40 }, { x0: 28, y0: 0, x1: 30, y1: 5 }, { x0: 1.5, y0: 0, x1: 4, y1: 4 },
    ];
    for (const box of boxes) {
      let core: string | null = null;
      try {
        clipTargetRegion(box, 28, 28);
      } catch (err) {
        core = (err as Error).message;
      }
      expect(targetRegionProblem(box, 28, 28) === null, JSON.stringify(box)).toBe(core === null);
    }
    expect(targetRegionProblem({ x0: 2, y0: 2, x1: 2, y1: 12 }, 28, 28)).toBe('The target box holds no pixel of the 28 × 28 input: give x from < x to and y from < y inside it.');
    expect(targetRegionProblem({ x0: 1.5, y0: 0, x1: 4, y1: 4 }, 28, 28)).toBe('The target box\'s x0 must be a whole number of pixels (got 1.5).');
  });

  it('δ per pixel averages the channels; its largest magnitude is reported', () => {
    const input = Float32Array.from([0, 0.5, 1, 0.2, 0.2, 0.2]);
    const attacked = Float32Array.from([0.03, 0.47, 1, 0.2, 0.23, 0.2]);
    const { delta, max } = perturbation(attacked, input, 3);
    expect(delta).toHaveLength(2);
    expect(delta[0]).toBeCloseTo((0.03 - 0.03 + 0) / 3, 6);
    expect(delta[1]).toBeCloseTo(0.03 / 3, 6);
    expect(max).toBeCloseTo(0.01, 6);
  });
});
