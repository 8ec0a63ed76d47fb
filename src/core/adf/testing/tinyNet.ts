import * as tf from '@tensorflow/tfjs';
import type { Net } from '../../net/ir';
import type { ReferenceDistribution } from '../../reference/distribution';
import { gaussian, mulberry32 } from '../../util/random';
import { seededConvNet } from '../../methods/testing/seededConvNet';

/**
 * conv3x3(4, same)-relu · pool 2x2 (average, or max) · flatten · dense8-relu · dense3 on 8x8x1,
 * seeded. The hidden dense layer's weights are N(0, 0.3²) so that several of its units are
 * active and the logits depend on the noise non-linearly (with Glorot weights and these
 * biases only one is).
 */
export function tinyNet(pool: 'avg' | 'max' = 'avg'): { model: tf.Sequential; net: Net } {
  return seededConvNet({
    inputShape: [8, 8, 1], outputs: 3, seed: 1, padding: 'same', pool,
    hiddenKernel: tf.initializers.randomNormal({ stddev: 0.3, seed: 3 }),
  });
}

/**
 * A reference distribution on 8x8x1 whose covariance is known exactly: rank-4 factor L of
 * smooth bumps plus pixel noise, and variance = Σ_r L_r² + a residual in [0.01, 0.05], so that
 * Cov = LᵀL + diag(residual). `scale` multiplies every standard deviation.
 */
export function syntheticReference(seed: number, scale = 1): { reference: ReferenceDistribution; residual: Float32Array } {
  const side = 8;
  const d = side * side;
  const rank = 4;
  const rand = mulberry32(seed);
  const normal = gaussian(rand);
  const mean = Float32Array.from({ length: d }, () => 0.2 + 0.6 * rand());
  const factor = new Float32Array(rank * d);
  for (let r = 0; r < rank; r++) {
    const cx = rand() * side;
    const cy = rand() * side;
    const width = 2 + 3 * rand();
    const amplitude = 0.4 * normal();
    for (let i = 0; i < side; i++) {
      for (let j = 0; j < side; j++) {
        const bump = amplitude * Math.exp(-((i - cy) ** 2 + (j - cx) ** 2) / (2 * width * width));
        factor[r * d + i * side + j] = scale * (bump + 0.05 * normal());
      }
    }
  }
  const residual = Float32Array.from({ length: d }, () => scale * scale * (0.01 + 0.04 * rand()));
  const variance = Float32Array.from({ length: d }, (_, i) => {
    let v = residual[i];
    for (let r = 0; r < rank; r++) v += factor[r * d + i] ** 2;
    return v;
  });
  return { reference: { shape: [side, side, 1], count: 1000, mean, variance, factor, rank }, residual };
}
