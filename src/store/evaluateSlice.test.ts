import { describe, expect, it } from 'vitest';
import type { RelevanceCurve } from '../core/evaluate/types';
import { aucRows, evaluationMethodIds, type EvaluateMethodResult } from './evaluateSlice';

const curve = (all: number): RelevanceCurve => ({ rates: [0, 0.1], kept: [0, 78], distortion: [1, 0], stderr: [0, 0], auc: { r5: null, r20: null, all }, aucStderr: { r5: null, r20: 0.002, all: 0.001 } });
const result = (status: EvaluateMethodResult['status'], all: number | null, error: string | null = null): EvaluateMethodResult =>
  ({ status, map: 'grid', curve: all === null ? null : curve(all), milliseconds: null, error });

describe('evaluate slice', () => {
  it('ranks whole curves by their area, lowest first; unfinished and failed methods follow in their order', () => {
    const rows = aucRows({
      methods: ['gradient', 'lrp', 'occlusion', 'lime', 'random'],
      results: {
        gradient: result('done', 0.03), lrp: result('done', 0.01), occlusion: result('running', 0.002),
        lime: result('error', null, 'LIME failed.'), random: result('done', 0.05),
      },
    });
    expect(rows.map((r) => r.methodId)).toEqual(['lrp', 'gradient', 'random', 'occlusion', 'lime']);
    // A curve still filling in has no area yet (its partial area would rank it unfairly).
    expect(rows[3].all).toBeNull();
    expect(rows[4]).toMatchObject({ status: 'error', error: 'LIME failed.' });
    expect(rows[0].stderr).toEqual({ r5: null, r20: 0.002, all: 0.001 });
    expect(rows[3].stderr).toEqual({ r5: null, r20: null, all: null });
  });

  it('evaluates the grid\'s selected methods the model can run, then the random baseline', () => {
    const methods = [{ id: 'gradient', available: true }, { id: 'lrp', available: false }, { id: 'occlusion', available: true }];
    expect(evaluationMethodIds(['gradient', 'lrp', 'occlusion'], methods)).toEqual(['gradient', 'occlusion', 'random']);
    expect(evaluationMethodIds([], methods)).toEqual(['random']);
  });
});
