import { z } from 'zod';
import type { Method } from '../types';
import { playerCountEstimate, playerParams } from './params';
import { permutationShapley } from './permutation';
import { efficiencyCheck, playerExplanation, playerGameFor } from './playerGameSetup';
import { LOGIT_SHARE } from '../units';

const params = z.object({
  ...playerParams({ players: 'grid', patch: 4, segments: 50 }),
  samples: z.number().int().min(2).max(100_000).default(100)
    .describe('random orders of the players (each with its reverse: antithetic pairs); n − 1 passes per order'),
});

/** Shapley values by permutation sampling with antithetic pairs (METHODS.md 5). */
export const shapleySamplingMethod: Method<typeof params> = {
  id: 'shapley-sampling',
  label: 'Shapley values (permutation sampling)',
  family: 'game-theoretic',
  description: 'Shapley values estimated from random orders of the regions, each order paired with its reverse; '
    + 'the standard error per region is in the extras. Every order\'s contributions add up to Φ(x) − Φ(baseline), '
    + 'so efficiency holds exactly. A pixel shows its region\'s value divided by the region\'s size.',
  formula: 'φᵢ ≈ mean over orders π of v(pre_π(i) ∪ i) − v(pre_π(i)), π and its reverse',
  params,
  unit: LOGIT_SHARE,
  requires: 'gradient',
  cost: 'expensive',
  estimate(p, input) {
    const { players, perCoalition } = playerCountEstimate(p, input.shape);
    return { forward: (p.samples * (players - 1) + 2) * perCoalition, backward: 0 };
  },
  async explain(net, x, target, p, ctx) {
    const setup = await playerGameFor(net, x, target, p, ctx);
    const est = await permutationShapley(setup.players.count, setup.game, { ...setup.evaluation, samples: p.samples, seed: ctx.seed ?? 0 });
    const out = playerExplanation(setup, est.phi, {
      empty: est.empty, full: est.full, evaluations: est.evaluations, standardErrors: Array.from(est.stderr),
    });
    return { ...out, check: efficiencyCheck(out.relevance, est.empty, est.full) };
  },
};
