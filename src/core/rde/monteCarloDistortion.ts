import * as tf from '@tensorflow/tfjs';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import { sampleNoise, type NoiseModel } from '../reference/noise';

/**
 * y = s_k ⊙ x + (1 − s_k) ⊙ n_i for k masks s [k, ...input] (k may be 1) and noise rows
 * [N, d]: every mask with every noise draw, [k·N, ...input], mask-major.
 */
export function obfuscate(x: tf.Tensor4D, s: tf.Tensor, noise: tf.Tensor2D): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  return tf.tidy(() => {
    const n = tf.reshape(noise, [1, -1, h, w, c]);
    const sm = tf.reshape(s, [-1, 1, h, w, c]);
    return tf.reshape(tf.add(tf.mul(sm, x), tf.mul(tf.sub(1, sm), n)), [-1, h, w, c]) as tf.Tensor4D;
  });
}

/**
 * Differentiable Monte-Carlo distortion for the optimiser (METHODS.md 1.2), one value per mask
 * of s [k, ...input]: D̂(s_k) = mean_i ½ (Φ(x) − Φ(y_ki))², the noise drawn once and reused
 * (reparameterised), so all k masks see the same draws.
 */
export function monteCarloDistortion(net: Net, x: tf.Tensor4D, s: tf.Tensor, noise: tf.Tensor2D, target: number, phiX: number): tf.Tensor1D {
  return tf.tidy(() => {
    const scores = tf.slice(forwardLogits(net, obfuscate(x, s, noise)), [0, target], [-1, 1]);
    const perMask = tf.reshape(scores, [-1, noise.shape[0]]);
    return tf.mul(0.5, tf.mean(tf.square(tf.sub(phiX, perMask)), 1)) as tf.Tensor1D;
  });
}

export interface ScoreMoments {
  /** E[Φ(y)] */
  mean: number;
  /** Var[Φ(y)], unbiased */
  variance: number;
  /** D(s) = ½ (Φ(x) − E[Φ(y)])² + ½ Var[Φ(y)] */
  distortion: number;
  /** Standard error of the estimate of E[Φ(y)]. */
  standardError: number;
  samples: number;
}

/**
 * E[Φ(y)], Var[Φ(y)] and D(s) from many samples, in chunks so memory stays bounded
 * (100,000 samples of a 784-pixel input would otherwise take 300 MB). Sums in float64.
 */
export async function monteCarloScoreMoments(
  net: Net, x: tf.Tensor4D, s: tf.Tensor, noise: NoiseModel, target: number, phiX: number,
  opts: { samples: number; seed: number; chunk?: number; signal?: AbortSignal },
): Promise<ScoreMoments> {
  const chunk = opts.chunk ?? 1000;
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let start = 0; start < opts.samples; start += chunk) {
    if (opts.signal?.aborted) throw new Error('The run was cancelled.');
    const size = Math.min(chunk, opts.samples - start);
    const scores = tf.tidy(() => {
      const y = obfuscate(x, s, sampleNoise(noise, size, opts.seed + 2 * start));
      return tf.squeeze(tf.slice(forwardLogits(net, y), [0, target], [-1, 1]), [1]);
    });
    const values = await scores.data();
    scores.dispose();
    for (const v of values) {
      n++;
      const delta = v - mean;
      mean += delta / n;
      m2 += delta * (v - mean);
    }
  }
  const variance = n > 1 ? m2 / (n - 1) : 0;
  return {
    mean, variance, samples: n,
    distortion: 0.5 * (phiX - mean) ** 2 + 0.5 * variance,
    standardError: Math.sqrt(variance / n),
  };
}
