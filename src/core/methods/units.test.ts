import { describe, expect, it } from 'vitest';
import { METHODS } from './registry';
import { unitOfRun } from './units';

describe('the unit of each method (METHODS.md 1, 3-5)', () => {
  it('is stated by every registered method: derivatives, score shares, window drops, the mask', () => {
    expect(Object.fromEntries(METHODS.map((m) => [m.id, `${m.unit.id}${m.unit.signed ? ' ±' : ' ≥0'}${m.unit.nominal ? ' nominal' : ''}`]))).toEqual({
      'gradient': 'logit-per-input ±',
      'gradient-input': 'logit ±',
      'smoothgrad': 'logit-per-input ±',
      'integrated-gradients': 'logit ±',
      'guided-backprop': 'logit-per-input ± nominal',
      'deconvnet': 'logit-per-input ± nominal',
      'lrp': 'logit ±',
      'deep-taylor': 'logit ±',
      'rde': 'mask ≥0',
      'shapley-exact': 'logit ±',
      'shapley-sampling': 'logit ±',
      'kernel-shap': 'logit ±',
      'lime': 'logit ±',
      'occlusion': 'logit-drop ±',
    });
  });

  it('follows the variant that changes it: |∂Φ/∂x| is unsigned, squares and variances are another unit', () => {
    const unit = (id: string, variant: string) => {
      const u = unitOfRun(METHODS.find((m) => m.id === id)!.unit, { variant });
      return `${u.id}${u.signed ? ' ±' : ' ≥0'}`;
    };
    expect([unit('gradient', 'raw'), unit('gradient', 'absolute'), unit('gradient', 'squared')])
      .toEqual(['logit-per-input ±', 'logit-per-input ≥0', 'logit-per-input-squared ≥0']);
    expect([unit('smoothgrad', 'plain'), unit('smoothgrad', 'squared'), unit('smoothgrad', 'vargrad')])
      .toEqual(['logit-per-input ±', 'logit-per-input-squared ≥0', 'logit-per-input-squared ≥0']);
    // Without parameters (a run not yet finished), the method's own unit.
    expect(unitOfRun(METHODS[0].unit, undefined)).toMatchObject({ id: 'logit-per-input', signed: true });
  });

  it('is plain data, so it crosses to the UI thread unchanged', () => {
    for (const m of METHODS) expect(structuredClone(m.unit)).toEqual(m.unit);
  });
});
