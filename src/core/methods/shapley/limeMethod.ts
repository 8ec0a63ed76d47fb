import { z } from 'zod';
import type { Method } from '../types';
import { lime } from './lime';
import { playerCountEstimate, playerParams } from './params';
import { playerExplanation, playerGameFor } from './playerGameSetup';
import { LOGIT_SHARE } from '../units';

const params = z.object({
  ...playerParams({ players: 'slic', patch: 4, segments: 50 }),
  samples: z.number().int().min(2).max(100_000).default(1000).describe('random coalitions (the first is the full input)'),
  kernelWidth: z.number().positive().max(100).default(0.25).describe('width w of the proximity kernel exp(−d²/w²), d the cosine distance'),
  ridge: z.number().min(0).max(1e6).default(1).describe('ridge penalty α of the weighted regression'),
});

/** LIME on superpixels (METHODS.md 5). */
export const limeMethod: Method<typeof params> = {
  id: 'lime',
  label: 'LIME',
  family: 'game-theoretic',
  description: 'The coefficients of a local linear surrogate: a weighted ridge regression of the class score on random on/off patterns '
    + 'of the regions, weighted by closeness to the full input. A pixel shows its region\'s coefficient divided by the region\'s size.',
  formula: 'min_β Σ_z π(z) (v(z) − β₀ − βᵀz)² + α‖β‖²,  π(z) = exp(−d(z, 1)²/w²),  d = cosine distance',
  params,
  unit: LOGIT_SHARE,
  requires: 'gradient',
  cost: 'expensive',
  estimate(p, input) {
    return { forward: p.samples * playerCountEstimate(p, input.shape).perCoalition, backward: 0 };
  },
  async explain(net, x, target, p, ctx) {
    const setup = await playerGameFor(net, x, target, p, ctx);
    const fit = await lime(setup.players.count, setup.game, {
      ...setup.evaluation, samples: p.samples, seed: ctx.seed ?? 0, kernelWidth: p.kernelWidth, ridge: p.ridge,
    });
    return playerExplanation(setup, fit.coefficients, { intercept: fit.intercept, score: fit.score, evaluations: fit.evaluations });
  },
};
