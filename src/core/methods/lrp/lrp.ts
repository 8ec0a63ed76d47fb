import { z } from 'zod';
import type { Method } from '../types';
import { COMPOSITE_IDS } from './composites';
import { explainWithRules } from './explainWithRules';
import { assignRules } from './ruleAssignment';
import { RULE_NAMES } from './ruleSpec';
import { LOGIT_SHARE } from '../units';

// Defaults follow Zennit's EpsilonGammaBox (ε = 1e-6, γ = 0.25) with the built-in models'
// input range [0, 1] as the zᴮ box.
const params = z.object({
  composite: z.enum(COMPOSITE_IDS).default('epsilon-gamma-box')
    .describe('which rule each layer gets: by kind (conv, dense) and position (first layer)'),
  epsilon: z.number().positive().max(1e6).default(1e-6).describe('ε of the epsilon rule: z_k + ε·sign(z_k) in the denominator'),
  gamma: z.number().min(0).max(1e6).default(0.25).describe('γ of the gamma rule: w + γ·w⁺'),
  low: z.number().default(0).describe('lower bound of the input, for the zᴮ rule'),
  high: z.number().default(1).describe('upper bound of the input, for the zᴮ rule'),
  rules: z.string().default('')
    .describe(`per-layer overrides "layer=rule,…", e.g. "conv2d_1=gamma(0.25),dense_2=epsilon(0.01)"; rules: ${RULE_NAMES.join(', ')}`),
});

/** Layer-wise Relevance Propagation with a composite of rules (METHODS.md 4). */
export const lrpMethod: Method<typeof params> = {
  id: 'lrp',
  label: 'LRP',
  family: 'propagation',
  description: 'Hands the class score back layer by layer, each neuron sharing its relevance among its inputs in proportion to their contributions; the rule per layer sets what counts as a contribution.',
  formula: 'R_j = Σ_k a_j ρ(w_jk) / (Σ_j a_j ρ(w_jk) + ρ(b_k) + ε·sign) · R_k,  R_out = Φₖ(x)',
  params,
  unit: LOGIT_SHARE,
  requires: 'propagation',
  cost: 'cheap',
  async explain(net, x, target, p, ctx) {
    const rules = assignRules(net, p.composite, p.rules, p);
    return explainWithRules(net, x, target, rules, ctx);
  },
};
