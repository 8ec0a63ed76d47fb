import {
  alphaBetaRule, epsilonRule, flatRule, gammaRule, wSquareRule, zBoxRule, zeroRule, zPlusRule, type LrpRule,
} from './rules';

/** Values a rule takes when its spec omits them (the method's params). */
export interface RuleDefaults {
  epsilon: number;
  gamma: number;
  /** Input bounds of the zᴮ rule. */
  low: number;
  high: number;
}

interface RuleFactory {
  /** Argument names, in order; a spec gives all of them or none (then the defaults apply). */
  args: string[];
  make(values: number[] | null, d: RuleDefaults): LrpRule;
}

function alphaBeta(alpha: number, beta: number): LrpRule {
  // METHODS.md 4: α − β = 1, which makes αβ conserve where both parts exist.
  if (!(beta >= 0 && Math.abs(alpha - beta - 1) < 1e-12)) {
    throw new Error(`alphabeta(${alpha},${beta}): needs β ≥ 0 and α − β = 1.`);
  }
  return alphaBetaRule(alpha, beta);
}

function nonNegative(name: string, v: number): number {
  if (!(v >= 0)) throw new Error(`${name}(${v}): the value must be ≥ 0.`);
  return v;
}

/** ε = 0 would divide 0 by 0 at every dead unit of a bias-free layer; LRP-0 is the `zero` rule. */
function positiveEpsilon(v: number): number {
  if (!(v > 0)) throw new Error(`epsilon(${v}): ε must be > 0 (for LRP-0 use the rule "zero").`);
  return v;
}

/** The rules by the names composites, overrides and the CLI use (METHODS.md 4). */
const FACTORIES: Record<string, RuleFactory> = {
  zero: { args: [], make: () => zeroRule },
  epsilon: { args: ['ε'], make: (v, d) => epsilonRule(positiveEpsilon(v ? v[0] : d.epsilon)) },
  gamma: { args: ['γ'], make: (v, d) => gammaRule(nonNegative('gamma', v ? v[0] : d.gamma)) },
  alpha1beta0: { args: [], make: () => alphaBetaRule(1, 0) },
  alpha2beta1: { args: [], make: () => alphaBetaRule(2, 1) },
  alphabeta: {
    args: ['α', 'β'],
    make: (v) => {
      if (!v) throw new Error('alphabeta needs its two values, e.g. alphabeta(2,1).');
      return alphaBeta(v[0], v[1]);
    },
  },
  zplus: { args: [], make: () => zPlusRule },
  wsquare: { args: [], make: () => wSquareRule },
  flat: { args: [], make: () => flatRule },
  zbox: {
    args: ['low', 'high'],
    make: (v, d) => {
      const [low, high] = v ?? [d.low, d.high];
      if (!(low < high)) throw new Error(`zbox(${low},${high}): needs low < high.`);
      return zBoxRule(low, high);
    },
  },
};

export const RULE_NAMES = Object.keys(FACTORIES);

function ruleSyntax(): string {
  return Object.entries(FACTORIES).map(([name, f]) => (f.args.length ? `${name}(${f.args.join(',')})` : name)).join(', ');
}

/** Parses one rule spec such as "epsilon", "gamma(0.25)", "alphabeta(2,1)" or "zbox(0,1)". */
export function parseRule(spec: string, defaults: RuleDefaults): LrpRule {
  const m = /^\s*([a-z0-9]+)\s*(?:\(([^()]*)\))?\s*$/i.exec(spec);
  const factory = m ? FACTORIES[m[1].toLowerCase()] : undefined;
  if (!m || !factory) throw new Error(`Unknown LRP rule "${spec.trim()}". Known: ${ruleSyntax()}.`);
  const name = m[1].toLowerCase();
  if (m[2] === undefined) return factory.make(null, defaults);
  const values = m[2].split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (values.length !== factory.args.length || values.some((v) => !Number.isFinite(v))) {
    const expected = factory.args.length ? `${factory.args.length} number(s): ${name}(${factory.args.join(',')})` : `no arguments: ${name}`;
    throw new Error(`LRP rule "${spec.trim()}" takes ${expected}.`);
  }
  return factory.make(values, defaults);
}
