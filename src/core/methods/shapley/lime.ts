import { mulberry32 } from '../../util/random';
import { evaluateCoalitions, type CoalitionValues, type EvaluationOptions } from './coalitions';
import { normalEquations, solvePositiveDefinite } from './weightedLeastSquares';

export interface LimeOptions extends EvaluationOptions {
  samples: number;
  seed: number;
  /** Width w of the kernel exp(−d²/w²) (METHODS.md 5: 0.25 for images). */
  kernelWidth: number;
  /** Ridge penalty α on the coefficients (the intercept is not penalised; LIME uses α = 1). */
  ridge: number;
}

export interface LimeFit {
  /** Coefficient of each player in the local linear surrogate. */
  coefficients: Float64Array;
  intercept: number;
  /** Weighted R² of the surrogate on the samples. */
  score: number;
  evaluations: number;
}

/** Cosine distance between a binary vector with k ones out of n and the all-ones vector: 1 − √(k/n) (1 for k = 0). */
function cosineDistanceToAllOnes(k: number, n: number): number {
  return k === 0 ? 1 : 1 - Math.sqrt(k / n);
}

/**
 * LIME (Ribeiro et al. 2016; METHODS.md 5) on players: the first sample is the full coalition
 * (the explained input, as in the lime package), the others uniform random binary vectors.
 * Each sample weighs π = exp(−d²/w²) with d its cosine distance to all-ones; a weighted ridge
 * regression of v on the binary vectors with an unpenalised intercept (fit on weighted-centred
 * data) gives the coefficients, the players' relevance.
 */
export async function lime(n: number, v: CoalitionValues, options: LimeOptions): Promise<LimeFit> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`A game needs a whole number of players ≥ 1; got ${n}.`);
  if (!Number.isInteger(options.samples) || options.samples < 2) throw new Error(`LIME needs a whole number of samples ≥ 2; got ${options.samples}.`);
  if (!(options.kernelWidth > 0)) throw new Error(`The LIME kernel width must be > 0; got ${options.kernelWidth}.`);
  if (!(options.ridge >= 0)) throw new Error(`The LIME ridge penalty must be ≥ 0; got ${options.ridge}.`);
  const rand = mulberry32(options.seed);
  const rows = Array.from({ length: options.samples }, (_, j) => (j === 0
    ? new Uint8Array(n).fill(1)
    : Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0))));
  const y = await evaluateCoalitions(v, rows.length, (j) => rows[j], options);
  const weights = Float64Array.from(rows, (z) => Math.exp(-(cosineDistanceToAllOnes(z.reduce((a, b) => a + b, 0), n) ** 2) / options.kernelWidth ** 2));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const meanZ = new Float64Array(n);
  let meanY = 0;
  rows.forEach((z, j) => {
    for (let i = 0; i < n; i++) meanZ[i] += (weights[j] * z[i]) / totalWeight;
    meanY += (weights[j] * y[j]) / totalWeight;
  });
  const centred = Float64Array.from(y, (value) => value - meanY);
  const row = (j: number, out: Float64Array) => {
    for (let i = 0; i < n; i++) out[i] = rows[j][i] - meanZ[i];
  };
  const { M, r } = normalEquations(rows.length, n, row, centred, weights, options.ridge);
  const coefficients = solvePositiveDefinite(M, r);
  if (!coefficients) throw new Error(`LIME: ${rows.length} samples do not determine the coefficients of ${n} players; use more samples or a ridge penalty > 0.`);
  const intercept = meanY - coefficients.reduce((a, c, i) => a + c * meanZ[i], 0);
  let residual = 0;
  let spread = 0;
  rows.forEach((z, j) => {
    const fit = intercept + coefficients.reduce((a, c, i) => a + c * z[i], 0);
    residual += weights[j] * (y[j] - fit) ** 2;
    spread += weights[j] * centred[j] ** 2;
  });
  return { coefficients, intercept, score: spread > 0 ? 1 - residual / spread : 1, evaluations: rows.length };
}
