// Monte-Carlo verification of a finished RDE mask (issue 17): the ADF modes approximate D(s),
// and the optimiser finds masks where that approximation is most optimistic, so every finished
// mask gets D(s) re-estimated by sampling the noise model itself, with a standard error.
import * as tf from '@tensorflow/tfjs';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import { disposeNoiseModel, noiseModel, sampleNoise } from '../reference/noise';
import { AbortedError } from '../methods/types';
import { obfuscate } from './monteCarloDistortion';
import { explainedLogit } from './explainedLogit';
import { yieldToEventLoop } from '../util/yieldToEventLoop';

/** D(s) by Monte Carlo, as the panel, the card, the CLI and the frontier show it. */
export interface MonteCarloCheck {
  /** D̂ = mean_i ½(Φ(x) − Φ(y_i))², an unbiased estimate of D(s). */
  distortion: number;
  /** Standard error of D̂: the sample standard deviation of ½(Φ(x) − Φ(y_i))² over √n. */
  standardError: number;
  samples: number;
  /** E[Φ(y)] and Var[Φ(y)] (unbiased) from the same samples. */
  mean: number;
  variance: number;
  /** The noise: V at this rank plus the diagonal residual (rank 0: independent pixels). */
  rank: number;
  seed: number;
  /** Whether the standard error reached the target (else the sample cap stopped it). */
  converged: boolean;
}

export interface VerifyOptions {
  rank: number;
  seed: number;
  /** Stop once standardError ≤ relativeError · D̂ (default 0.02, the 2 %). */
  relativeError?: number;
  /** At least this many samples (default 512), so the standard error itself is trustworthy. */
  minSamples?: number;
  /** At most this many (default 16,384). */
  maxSamples?: number;
  /** Samples per batched pass (default 256). */
  chunk?: number;
  signal?: AbortSignal;
  /** The estimate so far, after every chunk (streamed to the page). */
  onEstimate?: (partial: MonteCarloCheck) => void;
}

export const VERIFY_DEFAULTS = { relativeError: 0.02, minSamples: 512, maxSamples: 16_384, chunk: 256 } as const;

/**
 * The verification's noise seed, distinct from the optimiser's: Monte-Carlo mode and the
 * refinement draw with `seed` itself, so the verification is out of sample. Chunk k draws with
 * verifySeed(seed) + 2k (sampleNoise uses a seed and the next one).
 */
export function verifySeed(seed: number): number {
  let h = Math.imul((seed | 0) ^ 0x27d4eb2f, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return (h >>> 2) + 1_000_000;
}

/**
 * D(s) for one mask s (input shape) by sampling y = s⊙x + (1−s)⊙n, n from V at `rank` with its
 * diagonal residual (the noise model every mode approximates), in chunks until the standard
 * error is below `relativeError` of the estimate. Sums in float64; frees every tensor it makes,
 * on cancel too (AbortedError between chunks).
 */
export async function verifyDistortion(
  net: Net, x: tf.Tensor4D, target: number, s: tf.Tensor, reference: ReferenceDistribution, opts: VerifyOptions,
): Promise<MonteCarloCheck> {
  const relativeError = opts.relativeError ?? VERIFY_DEFAULTS.relativeError;
  const minSamples = opts.minSamples ?? VERIFY_DEFAULTS.minSamples;
  const maxSamples = Math.max(minSamples, opts.maxSamples ?? VERIFY_DEFAULTS.maxSamples);
  const chunk = opts.chunk ?? VERIFY_DEFAULTS.chunk;
  if (s.size !== x.size) throw new Error(`The mask has ${s.size} values; the input has ${x.size}.`);
  const phiX = await explainedLogit(net, x, target);
  const noise = noiseModel(reference, opts.rank);
  const base = verifySeed(opts.seed);
  // Welford over q = ½(Φ(x) − Φ(y))² and over Φ(y).
  let n = 0, qMean = 0, qM2 = 0, mean = 0, m2 = 0;
  const report = (converged: boolean): MonteCarloCheck => ({
    distortion: qMean, standardError: n > 1 ? Math.sqrt(qM2 / (n - 1) / n) : Infinity, samples: n,
    mean, variance: n > 1 ? m2 / (n - 1) : 0, rank: opts.rank, seed: opts.seed, converged,
  });
  try {
    for (let k = 0; n < maxSamples; k++) {
      if (opts.signal?.aborted) throw new AbortedError();
      const size = Math.min(chunk, maxSamples - n);
      const scores = tf.tidy(() => {
        const y = obfuscate(x, tf.reshape(s, [1, ...x.shape.slice(1)]), sampleNoise(noise, size, base + 2 * k));
        return tf.squeeze(tf.slice(forwardLogits(net, y), [0, target], [-1, 1]), [1]);
      });
      const values = await scores.data();
      scores.dispose();
      for (const v of values) {
        n++;
        const q = 0.5 * (phiX - v) ** 2;
        const dq = q - qMean;
        qMean += dq / n;
        qM2 += dq * (q - qMean);
        const dv = v - mean;
        mean += dv / n;
        m2 += dv * (v - mean);
      }
      const now = report(false);
      if (!Number.isFinite(now.distortion)) throw new Error(`The Monte-Carlo distortion came out ${now.distortion}; the network's score is not finite on the noisy inputs.`);
      const done = n >= minSamples && now.standardError <= relativeError * now.distortion;
      if (done) {
        opts.onEstimate?.({ ...now, converged: true });
        return { ...now, converged: true };
      }
      opts.onEstimate?.(now);
      await yieldToEventLoop();
    }
    return report(false);
  } finally {
    disposeNoiseModel(noise);
  }
}
