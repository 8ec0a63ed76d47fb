import { mulberry32, shuffleInPlace } from '../../util/random';
import { evaluateCoalitions, type CoalitionValues, type EvaluationOptions } from './coalitions';
import type { ShapleyEstimate } from './exact';

export interface SampledShapley extends ShapleyEstimate {
  /** Standard error of each φ_i from the spread over antithetic pairs (NaN with a single pair). */
  stderr: Float64Array;
}

/**
 * Shapley values by permutation sampling (METHODS.md 5; Castro et al. 2009) with antithetic pairs:
 * every random order π is followed by its reverse, whose marginal contributions are negatively
 * correlated with π's (a player early in one is late in the other), which lowers the variance.
 * φ_i = mean over orders of v(pre_π(i) ∪ i) − v(pre_π(i)). Each order's contributions sum to
 * v(N) − v(∅), so the estimate satisfies efficiency exactly, not only in expectation.
 * `samples` orders are used, rounded up to an even number; v(∅) and v(N) are evaluated once.
 */
export async function permutationShapley(
  n: number, v: CoalitionValues, options: EvaluationOptions & { samples: number; seed: number },
): Promise<SampledShapley> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`A game needs a whole number of players ≥ 1; got ${n}.`);
  if (!Number.isInteger(options.samples) || options.samples < 1) throw new Error(`Permutation sampling needs a whole number of samples ≥ 1; got ${options.samples}.`);
  const pairs = Math.ceil(options.samples / 2);
  const rand = mulberry32(options.seed);
  const orders = Array.from({ length: pairs }, () => shuffleInPlace(Array.from({ length: n }, (_, i) => i), rand));
  const orderOf = (o: number) => (o % 2 === 0 ? orders[o >> 1] : orders[o >> 1].slice().reverse());
  // Coalition j: 0 = ∅, 1 = N, then for order o the prefixes of length 1..n−1.
  const inner = n - 1;
  const make = (j: number): Uint8Array => {
    if (j < 2) return new Uint8Array(n).fill(j);
    const o = Math.floor((j - 2) / inner);
    const length = ((j - 2) % inner) + 1;
    const order = orderOf(o);
    const z = new Uint8Array(n);
    for (let k = 0; k < length; k++) z[order[k]] = 1;
    return z;
  };
  const count = 2 + 2 * pairs * inner;
  const values = await evaluateCoalitions(v, count, make, options);
  const [empty, full] = [values[0], values[1]];
  const prefixValue = (o: number, length: number) => (length === 0 ? empty : length === n ? full : values[2 + o * inner + length - 1]);
  // Mean contribution of each antithetic pair: the pairs are independent, so their spread gives the error.
  const pairMeans = new Float64Array(pairs * n);
  for (let p = 0; p < pairs; p++) {
    for (const o of [2 * p, 2 * p + 1]) {
      const order = orderOf(o);
      for (let k = 0; k < n; k++) pairMeans[p * n + order[k]] += (prefixValue(o, k + 1) - prefixValue(o, k)) / 2;
    }
  }
  const phi = new Float64Array(n);
  const stderr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let p = 0; p < pairs; p++) mean += pairMeans[p * n + i] / pairs;
    let squares = 0;
    for (let p = 0; p < pairs; p++) squares += (pairMeans[p * n + i] - mean) ** 2;
    phi[i] = mean;
    stderr[i] = pairs < 2 ? NaN : Math.sqrt(squares / (pairs - 1) / pairs);
  }
  return { phi, stderr, empty, full, evaluations: count };
}
