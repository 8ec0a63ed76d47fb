import type { WeightedKind } from './linearLayer';
import { parseRule, type RuleDefaults } from './ruleSpec';
import type { LrpRule } from './rules';

/** Where a weighted layer sits: its kind, and whether it is the first one (it sees the input). */
export interface LayerPosition {
  kind: WeightedKind;
  first: boolean;
}

/**
 * A composite assigns a rule to every weighted layer by kind and position (Zennit's
 * composites, iNNvestigate's presets; METHODS.md 4). Rules are written as rule specs so the
 * UI and the report show the same names the overrides use. channelAffine (a batch norm left
 * unfolded) is linear like dense and gets the dense rule.
 */
export interface Composite {
  description: string;
  ruleFor(position: LayerPosition): string;
}

const uniform = (rule: string): Composite => ({ description: `${rule} at every layer`, ruleFor: () => rule });

/** conv rule, dense rule, and optionally the rule of the first weighted layer. */
function byKind(description: string, conv: string, dense: string, first?: string): Composite {
  return {
    description,
    ruleFor: (p) => (p.first && first ? first : p.kind === 'conv2d' ? conv : dense),
  };
}

export const COMPOSITES = {
  'epsilon-gamma-box': byKind('Zennit EpsilonGammaBox: zᴮ at the first layer, γ for conv, ε for dense', 'gamma', 'epsilon', 'zbox'),
  'epsilon-plus': byKind('Zennit EpsilonPlus: z⁺ for conv, ε for dense', 'zplus', 'epsilon'),
  'epsilon-plus-flat': byKind('Zennit EpsilonPlusFlat: flat first layer, z⁺ for conv, ε for dense', 'zplus', 'epsilon', 'flat'),
  'preset-a': byKind('iNNvestigate preset A: α1β0 for conv, ε for dense', 'alpha1beta0', 'epsilon'),
  'preset-b': byKind('iNNvestigate preset B: α2β1 for conv, ε for dense', 'alpha2beta1', 'epsilon'),
  'preset-a-flat': byKind('iNNvestigate preset A, flat first layer', 'alpha1beta0', 'epsilon', 'flat'),
  'preset-b-flat': byKind('iNNvestigate preset B, flat first layer', 'alpha2beta1', 'epsilon', 'flat'),
  zero: uniform('zero'),
  epsilon: uniform('epsilon'),
  gamma: uniform('gamma'),
  alpha1beta0: uniform('alpha1beta0'),
  alpha2beta1: uniform('alpha2beta1'),
  zplus: uniform('zplus'),
  /** Deep Taylor, bounded input (METHODS.md 4): zᴮ at the input, z⁺ above. */
  'deep-taylor-bounded': byKind('Deep Taylor (bounded): zᴮ at the first layer, z⁺ above', 'zplus', 'zplus', 'zbox'),
} satisfies Record<string, Composite>;

export type CompositeId = keyof typeof COMPOSITES;
export const COMPOSITE_IDS = Object.keys(COMPOSITES) as [CompositeId, ...CompositeId[]];

export function compositeRule(id: CompositeId, position: LayerPosition, defaults: RuleDefaults): LrpRule {
  return parseRule(COMPOSITES[id].ruleFor(position), defaults);
}
