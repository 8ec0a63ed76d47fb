import { describe, expect, it } from 'vitest';
import { estimateText } from './useRunEstimate';

describe('estimateText', () => {
  it('rounds to two figures in the unit that suits, with the upper bound of a run that may stop early', () => {
    expect(estimateText({ milliseconds: 3, atMost: false })).toBe('≈ 10 ms');
    expect(estimateText({ milliseconds: 634, atMost: false })).toBe('≈ 630 ms');
    expect(estimateText({ milliseconds: 82_739, atMost: false })).toBe('≈ 1.4 min');
    expect(estimateText({ milliseconds: 15_646, atMost: true })).toBe('at most ≈ 16 s');
    expect(estimateText({ milliseconds: 15_646, atMost: true, typicalMilliseconds: 1_971 })).toBe('≈ 2 s (at most 16 s)');
    expect(estimateText({ milliseconds: 7_200_000, atMost: false })).toBe('≈ 2 h');
    // The last run used its whole budget: no separate bound.
    expect(estimateText({ milliseconds: 43_000, atMost: true, typicalMilliseconds: 43_000 })).toBe('≈ 43 s');
  });
});
