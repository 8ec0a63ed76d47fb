import { z } from 'zod';
import type { Method } from '../types';
import { kernelShap } from './kernelShap';
import { playerCountEstimate, playerParams } from './params';
import { efficiencyCheck, playerExplanation, playerGameFor } from './playerGameSetup';
import { LOGIT_SHARE } from '../units';

const params = z.object({
  ...playerParams({ players: 'grid', patch: 4, segments: 50 }),
  samples: z.number().int().min(2).max(100_000).default(1000)
    .describe('coalitions to evaluate (besides ∅ and N); with 2ⁿ − 2 or more, all are used and the values are exact'),
});

/** KernelSHAP: weighted regression with the Shapley kernel, efficiency as a constraint (METHODS.md 5). */
export const kernelShapMethod: Method<typeof params> = {
  id: 'kernel-shap',
  label: 'KernelSHAP',
  family: 'game-theoretic',
  description: 'Shapley values of regions as the weighted linear regression of the class score on which regions are present, '
    + 'coalitions drawn by the Shapley kernel (each with its complement), with Σφ = Φ(x) − Φ(baseline) imposed exactly. '
    + 'A pixel shows its region\'s value divided by the region\'s size.',
  formula: 'min_φ Σ_S π(S) (v(S) − v(∅) − Σ_{i∈S} φᵢ)²  s.t. Σφ = v(N) − v(∅),  π(S) = (n−1) / (C(n,|S|) |S| (n−|S|))',
  params,
  unit: LOGIT_SHARE,
  requires: 'gradient',
  cost: 'expensive',
  estimate(p, input) {
    const { players, perCoalition } = playerCountEstimate(p, input.shape);
    return { forward: (Math.min(p.samples, 2 ** Math.min(players, 40) - 2) + 2) * perCoalition, backward: 0 };
  },
  async explain(net, x, target, p, ctx) {
    const setup = await playerGameFor(net, x, target, p, ctx);
    const est = await kernelShap(setup.players.count, setup.game, { ...setup.evaluation, samples: p.samples, seed: ctx.seed ?? 0 });
    const out = playerExplanation(setup, est.phi, { empty: est.empty, full: est.full, evaluations: est.evaluations, sampled: est.sampled });
    return { ...out, check: efficiencyCheck(out.relevance, est.empty, est.full) };
  },
};
