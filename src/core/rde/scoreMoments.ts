import * as tf from '@tensorflow/tfjs';
import { propagateMoments } from '../adf/propagate';
import { disposeReferenceTensors, inputMoments, referenceTensors } from '../adf/inputMoments';
import { explainedLogit } from './explainedLogit';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import { monteCarloScoreMoments } from './monteCarloDistortion';
import { disposeNoiseModel, noiseModel } from '../reference/noise';
import type { DistortionMode } from './rdeObjective';

export interface DistortionReport {
  mode: DistortionMode;
  rank: number;
  target: number;
  /** Φ(x), the explained logit at the input itself. */
  phiX: number;
  /** E[Φ(y)] */
  mean: number;
  /** Var[Φ(y)] */
  variance: number;
  /** D(s) = ½(Φ(x) − E[Φ(y)])² + ½ Var[Φ(y)] */
  distortion: number;
  samples?: number;
  standardError?: number;
}

/** E[Φ(y)], Var[Φ(y)] and D(s) for one mask s (input shape), by an ADF mode or Monte Carlo. */
export async function scoreMoments(
  net: Net, x: tf.Tensor4D, target: number, s: tf.Tensor4D, reference: ReferenceDistribution,
  opts: { mode: DistortionMode; rank: number; samples?: number; seed?: number; signal?: AbortSignal },
): Promise<DistortionReport> {
  const phiX = await explainedLogit(net, x, target);
  const base = { mode: opts.mode, rank: opts.rank, target, phiX };
  if (opts.mode === 'mc') {
    const noise = noiseModel(reference, opts.rank);
    try {
      const m = await monteCarloScoreMoments(net, x, s, noise, target, phiX, { samples: opts.samples ?? 10_000, seed: opts.seed ?? 0, signal: opts.signal });
      return { ...base, mean: m.mean, variance: m.variance, distortion: m.distortion, samples: m.samples, standardError: m.standardError };
    } finally {
      disposeNoiseModel(noise);
    }
  }
  if (opts.mode !== 'diag' && opts.rank < 1) throw new Error(`ADF mode ${opts.mode} needs a covariance rank of at least 1.`);
  if (opts.rank > reference.rank) throw new Error(`Rank ${opts.rank} is above the ${reference.rank} the reference distribution holds.`);
  const mode = opts.mode;
  const tensors = referenceTensors(reference, mode === 'diag' ? 0 : opts.rank);
  let moments: tf.Tensor;
  try {
    moments = tf.tidy(() => {
      const out = propagateMoments(net, inputMoments(x, s, tensors, mode));
      return tf.concat([tf.slice(out.mean, [0, target], [1, 1]), tf.slice(out.variance, [0, target], [1, 1])], 1);
    });
  } finally {
    disposeReferenceTensors(tensors);
  }
  // Read asynchronously: a synchronous read stalls WebGPU (on a software adapter it loses the device).
  const [mean, variance] = await moments.data();
  moments.dispose();
  return { ...base, mean, variance, distortion: 0.5 * (phiX - mean) ** 2 + 0.5 * variance };
}
