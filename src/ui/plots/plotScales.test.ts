import { describe, expect, it } from 'vitest';
import { linearScale, logScale } from './plotScales';

const range: [number, number] = [212, 16]; // the trace plot's y range (pixels, bottom to top)

describe('plot scales', () => {
  it('an axis without data has no ticks (no "8.0e-10" over an empty plot)', () => {
    expect(linearScale([], 1e-9, range).ticks).toEqual([]);
    expect(logScale([], range).ticks).toEqual([]);
    expect(linearScale([Number.NaN], 1e-9, range).ticks).toEqual([]);
  });

  it('an axis with data has nice ticks from 0 to past the largest value', () => {
    const { ticks, scale } = linearScale([0.031, 0.12], 0.05, range);
    expect(ticks[0]).toBe(0);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(0.12);
    expect(scale(0.12)).toBeGreaterThanOrEqual(16);
  });

  it('on the log axis D is not flattened under F (the run seen in issue 10: D 0.134, F 3.15)', () => {
    // A run from s0 (D = 2) to D 0.134, F 3.15; F stays near 3 while D settles from 0.5 to 0.134.
    const trace = [{ d: 2, f: 2.5 }, { d: 0.5, f: 3.6 }, { d: 0.3, f: 3.3 }, { d: 0.134, f: 3.15 }];
    const { scale, ticks } = logScale(trace.flatMap((r) => [r.d, r.f]), range);
    const height = range[0] - range[1];
    // D's settling from 0.5 to 0.134 spans log10(3.7)/2 decades = 28 % of the height
    // (on the old linear axis from 0 to 4: 0.366/4 = 9 %).
    expect((scale(0.134) - scale(0.5)) / height).toBeCloseTo(Math.log10(0.5 / 0.134) / 2, 6);
    expect((scale(0.134) - scale(0.5)) / height).toBeGreaterThan(0.25);
    expect(ticks).toEqual([0.1, 1, 10]);
  });

  it('the log axis ticks 1-2-5 within one decade, holds a constant series, and clamps a zero to the floor', () => {
    expect(logScale([0.3, 0.9], range).ticks).toEqual([0.1, 0.2, 0.5, 1]);
    const constant = logScale([1, 1], range);
    expect(constant.scale.domain()).toEqual([1, 10]);
    const withZero = logScale([0, 0.5, 2], range);
    expect(withZero.scale(0)).toBe(range[0]);
    expect(withZero.scale.domain()).toEqual([0.1, 10]);
  });

  it('the log axis spans at most six decades below the top', () => {
    const { scale } = logScale([1e-12, 5], range);
    expect(scale.domain()).toEqual([1e-6, 10]);
    expect(scale(1e-12)).toBe(range[0]);
  });
});
