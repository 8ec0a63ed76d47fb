import { coalitionOfMask, evaluateCoalitions, type CoalitionValues, type EvaluationOptions } from './coalitions';

/** Above this, 2ⁿ network passes are more than the studio should run (METHODS.md 5: n ≲ 16). */
export const EXACT_MAX_PLAYERS = 16;

export interface ShapleyEstimate {
  /** φ_i per player. */
  phi: Float64Array;
  /** v(∅) and v(N), for the efficiency check Σφ = v(N) − v(∅). */
  empty: number;
  full: number;
  /** Coalitions evaluated. */
  evaluations: number;
}

/**
 * Exact Shapley values (METHODS.md 5): φ_i = Σ_{S⊆N\i} |S|!(n−|S|−1)!/n! (v(S∪i) − v(S)),
 * from v on all 2ⁿ coalitions (bit i of the index = player i).
 */
export async function exactShapley(n: number, v: CoalitionValues, options: EvaluationOptions = {}): Promise<ShapleyEstimate> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`A game needs a whole number of players ≥ 1; got ${n}.`);
  if (n > EXACT_MAX_PLAYERS) {
    throw new Error(`Exact Shapley values need all 2^n coalitions; ${n} players is above the limit of ${EXACT_MAX_PLAYERS}. `
      + 'Use larger patches, fewer segments, or permutation sampling / KernelSHAP.');
  }
  const total = 2 ** n;
  const values = await evaluateCoalitions(v, total, (mask) => coalitionOfMask(mask, n), options);
  // weight[s] = s!(n−s−1)!/n! = 1 / (n · C(n−1, s)), with C built up by C(n−1, s+1) = C(n−1, s)(n−1−s)/(s+1).
  const weight = new Float64Array(n);
  let binomial = 1;
  for (let s = 0; s < n; s++) {
    weight[s] = 1 / (n * binomial);
    binomial = (binomial * (n - 1 - s)) / (s + 1);
  }
  const size = new Uint8Array(total);
  for (let mask = 1; mask < total; mask++) size[mask] = size[mask >>> 1] + (mask & 1);
  const phi = new Float64Array(n);
  for (let mask = 0; mask < total; mask++) {
    for (let i = 0; i < n; i++) {
      const bit = 1 << i;
      if (mask & bit) continue;
      phi[i] += weight[size[mask]] * (values[mask | bit] - values[mask]);
    }
  }
  return { phi, empty: values[0], full: values[total - 1], evaluations: total };
}
