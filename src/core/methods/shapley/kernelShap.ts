import { mulberry32 } from '../../util/random';
import { coalitionOfMask, evaluateCoalitions, type CoalitionValues, type EvaluationOptions } from './coalitions';
import type { ShapleyEstimate } from './exact';
import { normalEquations, solvePositiveDefinite } from './weightedLeastSquares';

/**
 * The coalitions KernelSHAP regresses on, with their weights. With budget for all 2ⁿ − 2 proper,
 * non-empty coalitions it takes them all, weighted by the Shapley kernel
 * π(S) = (n−1) / (C(n,|S|) |S| (n−|S|)), and the regression returns the exact Shapley values.
 * Otherwise it samples sizes s with probability ∝ (n−1)/(s(n−s)) (the kernel's total weight of
 * size s), a uniform coalition of that size, and also its complement (paired sampling, Covert &
 * Lee 2021: same kernel weight, lower variance); sampled from the kernel, every row weighs 1.
 */
function designRows(n: number, samples: number, seed: number): { rows: Uint8Array[]; weights: Float64Array; sampled: boolean } {
  if (n <= 30 && 2 ** n - 2 <= samples) {
    const rows = Array.from({ length: 2 ** n - 2 }, (_, k) => coalitionOfMask(k + 1, n));
    const binomial = (s: number) => {
      let c = 1;
      for (let k = 0; k < s; k++) c = (c * (n - k)) / (k + 1);
      return c;
    };
    const weights = Float64Array.from(rows, (z) => {
      const s = z.reduce((a, b) => a + b, 0);
      return (n - 1) / (binomial(s) * s * (n - s));
    });
    return { rows, weights, sampled: false };
  }
  const rand = mulberry32(seed);
  const cumulative = new Float64Array(n);
  for (let s = 1; s < n; s++) cumulative[s] = cumulative[s - 1] + 1 / (s * (n - s));
  const pairs = Math.ceil(samples / 2);
  const rows: Uint8Array[] = [];
  const order = Array.from({ length: n }, (_, i) => i);
  for (let p = 0; p < pairs; p++) {
    const u = rand() * cumulative[n - 1];
    let s = 1;
    while (s < n - 1 && cumulative[s] <= u) s++;
    // Partial Fisher–Yates: the first s entries of `order` become a uniform s-subset.
    for (let k = 0; k < s; k++) {
      const j = k + Math.floor(rand() * (n - k));
      [order[k], order[j]] = [order[j], order[k]];
    }
    const z = new Uint8Array(n);
    for (let k = 0; k < s; k++) z[order[k]] = 1;
    rows.push(z, z.map((b) => 1 - b));
  }
  return { rows, weights: new Float64Array(rows.length).fill(1), sampled: true };
}

/**
 * KernelSHAP (Lundberg & Lee 2017; METHODS.md 5): the Shapley values as the solution of the weighted
 * linear regression min Σ_S π(S) (v(S) − v(∅) − Σ_{i∈S} φ_i)² under the efficiency constraint
 * Σφ = v(N) − v(∅), which holds exactly. The constraint is solved by elimination:
 * φ_{n−1} = Δ − Σ_{i<n−1} φ_i turns the problem into an unconstrained one in n − 1 unknowns,
 * row a_i = z_i − z_{n−1}, target y − z_{n−1}Δ.
 */
export async function kernelShap(
  n: number, v: CoalitionValues, options: EvaluationOptions & { samples: number; seed: number },
): Promise<ShapleyEstimate & { sampled: boolean }> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`A game needs a whole number of players ≥ 1; got ${n}.`);
  if (!Number.isInteger(options.samples) || options.samples < 1) throw new Error(`KernelSHAP needs a whole number of samples ≥ 1; got ${options.samples}.`);
  const { rows, weights, sampled } = n === 1 ? { rows: [], weights: new Float64Array(0), sampled: false } : designRows(n, options.samples, options.seed);
  const make = (j: number) => (j < 2 ? new Uint8Array(n).fill(j) : rows[j - 2]);
  const values = await evaluateCoalitions(v, rows.length + 2, make, options);
  const [empty, full] = [values[0], values[1]];
  const delta = full - empty;
  const phi = new Float64Array(n);
  phi[n - 1] = delta;
  if (n > 1) {
    const last = n - 1;
    const target = Float64Array.from(rows, (z, j) => values[j + 2] - empty - z[last] * delta);
    const row = (j: number, out: Float64Array) => {
      const z = rows[j];
      for (let i = 0; i < last; i++) out[i] = z[i] - z[last];
    };
    const { M, r } = normalEquations(rows.length, last, row, target, weights);
    const beta = solvePositiveDefinite(M, r);
    if (!beta) {
      throw new Error(`KernelSHAP: ${rows.length} sampled coalitions do not determine the values of ${n} players; use more samples.`);
    }
    phi.set(beta);
    phi[last] = delta - beta.reduce((a, b) => a + b, 0);
  }
  return { phi, empty, full, evaluations: rows.length + 2, sampled };
}
