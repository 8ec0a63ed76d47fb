import { z } from 'zod';
import type { Method } from '../types';
import { explainWithRules } from './explainWithRules';
import { assignRules } from './ruleAssignment';
import { STABILISER } from './rules';
import { LOGIT_SHARE } from '../units';

const params = z.object({
  low: z.number().default(0).describe('lower bound of the input (the built-in models: 0)'),
  high: z.number().default(1).describe('upper bound of the input (the built-in models: 1)'),
});

/**
 * Deep Taylor decomposition for a ReLU network with bounded input (METHODS.md 4): the root
 * points of each ReLU layer give the z⁺ rule, those of the input box [low, high] the zᴮ rule.
 */
export const deepTaylorMethod: Method<typeof params> = {
  id: 'deep-taylor',
  label: 'Deep Taylor',
  family: 'propagation',
  description: 'Taylor-expands each neuron at a root point and passes relevance to its inputs: positive weights only inside the net, the input box at the first layer.',
  formula: 'z⁺: R_j = Σ_k a_j w⁺_jk / Σ_j a_j w⁺_jk · R_k;  zᴮ: R_i = Σ_k (x_i w_ik − l w⁺_ik − h w⁻_ik) / Σ_i(…) · R_k',
  params,
  unit: LOGIT_SHARE,
  requires: 'propagation',
  cost: 'cheap',
  async explain(net, x, target, p, ctx) {
    if (!(p.low < p.high)) throw new Error(`Deep Taylor needs low < high (got ${p.low}, ${p.high}).`);
    const rules = assignRules(net, 'deep-taylor-bounded', '', { epsilon: STABILISER, gamma: 0, ...p });
    return explainWithRules(net, x, target, rules, ctx);
  },
};
