import * as tf from '@tensorflow/tfjs';
import type { AdfMode, Moments } from '../moments';
import { gaussian, mulberry32 } from '../../util/random';
import type { GaussianSpec } from './monteCarlo';

export const TEST_RANK = 3;

/**
 * A random Gaussian of the kind each mode represents exactly: independent units (diag),
 * N(μ, QQᵀ) (lowrank), N(μ, QQᵀ + diag δ) (lowrank-diag). Means in ±meanScale, random factor
 * directions, variances and residuals in [0.1, 0.5] (diag: [0.1, 1]), so ReLU inputs sit
 * within about two standard deviations of the kink.
 */
export function randomSpec(unitShape: number[], mode: AdfMode, seed: number, meanScale = 1.5): GaussianSpec {
  const d = unitShape.reduce((a, b) => a * b, 1);
  const rand = mulberry32(seed);
  const normal = gaussian(rand);
  const rank = mode === 'diag' ? 0 : TEST_RANK;
  const mean = Float32Array.from({ length: d }, () => (2 * rand() - 1) * meanScale);
  const factor = Float32Array.from({ length: rank * d }, normal);
  for (let i = 0; i < d; i++) {
    // Every unit gets a factor variance Σ_r Q_r² in [0.2, 0.8], none so small that MC sees a constant.
    const norm = Math.sqrt(Array.from({ length: rank }, (_, r) => factor[r * d + i] ** 2).reduce((a, b) => a + b, 0));
    const scale = Math.sqrt(0.2 + 0.6 * rand()) / norm;
    for (let r = 0; r < rank; r++) factor[r * d + i] *= scale;
  }
  const diag = mode === 'lowrank'
    ? new Float32Array(d)
    : Float32Array.from({ length: d }, () => (mode === 'diag' ? 0.1 + 0.9 * rand() : 0.1 + 0.4 * rand()));
  return { unitShape, mean, factor, rank, diag };
}

/** The ADF moments of a batch of specs (all of one mode and shape), batch axis first. */
export function specMoments(specs: GaussianSpec[], mode: AdfMode): Moments {
  const { unitShape, rank } = specs[0];
  const b = specs.length;
  const stack = (pick: (s: GaussianSpec) => Float32Array, shape: number[]) => {
    const all = new Float32Array(specs.reduce((n, s) => n + pick(s).length, 0));
    specs.forEach((s, i) => all.set(pick(s), i * pick(s).length));
    return tf.tensor(all, shape);
  };
  const mean = stack((s) => s.mean, [b, ...unitShape]);
  switch (mode) {
    case 'diag': return { mode, mean, variance: stack((s) => s.diag, [b, ...unitShape]) };
    case 'lowrank': return { mode, mean, factor: stack((s) => s.factor, [b, rank, ...unitShape]) };
    case 'lowrank-diag':
      return { mode, mean, factor: stack((s) => s.factor, [b, rank, ...unitShape]), residual: stack((s) => s.diag, [b, ...unitShape]) };
  }
}
