import { z } from 'zod';
import type { Method } from '../types';
import { occlusion } from './occlusion';
import { absentParams } from './params';
import { pixelScoring } from './playerGameSetup';
import { LOGIT_DROP } from '../units';

const params = z.object({
  window: z.number().int().min(1).max(256).default(4).describe('side in pixels of the occluding square'),
  stride: z.number().int().min(1).max(256).default(2).describe('step in pixels between window positions'),
  ...absentParams(),
});

/** Occlusion (METHODS.md 5). */
export const occlusionMethod: Method<typeof params> = {
  id: 'occlusion',
  label: 'Occlusion',
  family: 'game-theoretic',
  description: 'Slide a square of baseline values over the image; a pixel (each of its channels) gets the mean drop '
    + 'of the class score over the window positions that cover it.',
  formula: 'Rₚ = mean over windows W ∋ p of Φ(x) − Φ(x with W set to the baseline)',
  params,
  unit: LOGIT_DROP,
  requires: 'gradient',
  cost: 'cheap',
  async explain(net, x, target, p, ctx) {
    const scoring = await pixelScoring(net, x, target, p, ctx);
    const [h, w, c] = scoring.shape;
    const out = await occlusion(h, w, scoring.scores, { ...scoring.evaluation, window: p.window, stride: p.stride });
    const relevance = new Float32Array(h * w * c);
    out.relevance.forEach((r, pixel) => relevance.fill(r, pixel * c, (pixel + 1) * c));
    return {
      relevance, shape: [1, h, w, c],
      passes: { forward: scoring.passes.forward, backward: 0 },
      extras: { full: out.full, evaluations: out.evaluations },
    };
  },
};
