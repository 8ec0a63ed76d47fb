import { z } from 'zod';
import type { Method } from '../types';
import { EXACT_MAX_PLAYERS, exactShapley } from './exact';
import { playerCountEstimate, playerParams } from './params';
import { efficiencyCheck, playerExplanation, playerGameFor } from './playerGameSetup';
import { LOGIT_SHARE } from '../units';

const params = z.object(playerParams({ players: 'grid', patch: 7, segments: 16 }));

/** Exact Shapley values of image regions (METHODS.md 5): all 2ⁿ coalitions, n ≤ 16. */
export const shapleyExactMethod: Method<typeof params> = {
  id: 'shapley-exact',
  label: 'Shapley values (exact)',
  family: 'game-theoretic',
  description: `Each region's average marginal contribution to the class score over all coalitions of regions; `
    + `absent regions take the baseline. Needs 2ⁿ network passes, so at most ${EXACT_MAX_PLAYERS} regions. `
    + 'A pixel shows its region\'s value divided by the region\'s size, so the map sums to Φ(x) − Φ(baseline).',
  formula: 'φᵢ = Σ_{S⊆N∖i} |S|!(n−|S|−1)!/n! · (v(S∪i) − v(S)),  Σφ = v(N) − v(∅)',
  params,
  unit: LOGIT_SHARE,
  requires: 'gradient',
  cost: 'expensive',
  estimate(p, input) {
    const { players, perCoalition } = playerCountEstimate(p, input.shape);
    return { forward: 2 ** Math.min(players, EXACT_MAX_PLAYERS) * perCoalition, backward: 0 };
  },
  async explain(net, x, target, p, ctx) {
    const setup = await playerGameFor(net, x, target, p, ctx);
    const est = await exactShapley(setup.players.count, setup.game, setup.evaluation);
    const out = playerExplanation(setup, est.phi, { empty: est.empty, full: est.full, evaluations: est.evaluations });
    return { ...out, check: efficiencyCheck(out.relevance, est.empty, est.full) };
  },
};
