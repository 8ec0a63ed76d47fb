import { describe, expect, it } from 'vitest';
import { RDE_DEFAULTS, modeLabel, reconcileRdeParams } from './params';
import { objectiveFromParts, rateWeight, rdeFormula } from './rateTerm';

describe('reconcileRdeParams: mode and rank stay consistent', () => {
  const diag = RDE_DEFAULTS;
  it('a rank above 0 leaves the diagonal mode for low-rank + diagonal; rank 0 returns to diagonal', () => {
    const ranked = reconcileRdeParams(diag, { rank: 12 });
    expect([ranked.mode, ranked.rank]).toEqual(['lowrank-diag', 12]);
    const back = reconcileRdeParams(ranked, { rank: 0 });
    expect([back.mode, back.rank]).toEqual(['diag', 0]);
  });
  it('a low-rank mode at rank 0 takes rank 10, or the most the reference holds', () => {
    expect(reconcileRdeParams(diag, { mode: 'lowrank' }).rank).toBe(10);
    expect(reconcileRdeParams(diag, { mode: 'lowrank' }, 4).rank).toBe(4);
    expect(reconcileRdeParams({ ...diag, mode: 'lowrank', rank: 7 }, { mode: 'diag' }).rank).toBe(0);
  });
  it('Monte Carlo keeps any rank (0: independent noise); a rank and a mode given together are both kept', () => {
    const mc = reconcileRdeParams(diag, { mode: 'mc' });
    expect([mc.mode, mc.rank]).toEqual(['mc', 0]);
    expect(reconcileRdeParams(mc, { rank: 5 }).mode).toBe('mc');
    expect(reconcileRdeParams(diag, { mode: 'lowrank', rank: 3 })).toMatchObject({ mode: 'lowrank', rank: 3 });
  });
  it('labels the mode with its rank or samples', () => {
    expect(modeLabel(diag)).toBe('Diagonal ADF');
    expect(modeLabel({ mode: 'lowrank-diag', rank: 10, samples: 64 })).toBe('Low-rank + diagonal ADF, rank 10');
    expect(modeLabel({ mode: 'mc', rank: 5, samples: 32 })).toBe('Monte Carlo, 32 samples, V at rank 5');
  });
});

describe('the rate term', () => {
  // The example: D 0.134, rate 0.0961, λ 0.5, d 784. With Φ(x) = 8.1 the reference term
  // is 0.5·65.61·0.0961 = 3.153; the paper's λ‖s‖₁ would be 0.5·0.0961·784 = 37.67.
  const parts = { distortion: 0.134, rate: 0.0961, lambda: 0.5, phiX: 8.1, d: 784 };
  it('F from the shown parts is D + w·‖s‖₁ with the weight the optimiser uses', () => {
    expect(objectiveFromParts('reference', parts)).toBeCloseTo(0.134 + 0.5 * 8.1 ** 2 * 0.0961, 12);
    expect(objectiveFromParts('mean', parts)).toBeCloseTo(0.134 + 0.5 * 0.0961, 12);
    expect(objectiveFromParts('paper', parts)).toBeCloseTo(0.134 + 0.5 * 0.0961 * 784, 12);
    expect(rateWeight('reference', 0.5, 8.1, 784)).toBeCloseTo(0.5 * 65.61 / 784, 15);
  });
  it('the formula shown names the term minimised', () => {
    expect(rdeFormula('reference')).toContain('D(s) + λ·Φ(x)²·‖s‖₁/d');
    expect(rdeFormula('mean')).toContain('D(s) + λ·‖s‖₁/d,');
    expect(rdeFormula('paper')).toContain('D(s) + λ·‖s‖₁,');
  });
});
