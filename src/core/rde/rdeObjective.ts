import * as tf from '@tensorflow/tfjs';
import { distortion, propagateMoments } from '../adf/propagate';
import { disposeReferenceTensors, inputMoments, referenceTensors, type ReferenceTensors } from '../adf/inputMoments';
import type { AdfMode } from '../adf/moments';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import { monteCarloDistortion } from './monteCarloDistortion';
import { disposeNoiseModel, noiseModel, sampleNoise } from '../reference/noise';

export type DistortionMode = AdfMode | 'mc';

/**
 * A differentiable D(s) for one input, target and reference, with the tensors it holds:
 * one value per mask of a batch s [k, ...input], so line searches can try k steps at once.
 */
export interface DistortionFunction {
  distortion(s: tf.Tensor4D): tf.Tensor1D;
  dispose(): void;
}

/**
 * D(s) = ½(Φ(x) − E[Φ(y)])² + ½Var[Φ(y)] (METHODS.md 1): by ADF in one of its modes, or by
 * Monte Carlo over `samples` fixed noise draws (reparameterised, so the gradient is exact for
 * the sampled objective).
 */
export function makeDistortion(
  net: Net, x: tf.Tensor4D, target: number, phiX: number, reference: ReferenceDistribution,
  opts: { mode: DistortionMode; rank: number; samples: number; seed: number },
): DistortionFunction {
  if (opts.mode === 'mc') {
    const noise = noiseModel(reference, opts.rank);
    const draws = sampleNoise(noise, opts.samples, opts.seed);
    disposeNoiseModel(noise);
    return {
      distortion: (s) => monteCarloDistortion(net, x, s, draws, target, phiX),
      dispose: () => draws.dispose(),
    };
  }
  if (opts.mode !== 'diag' && opts.rank < 1) {
    throw new Error(`ADF mode ${opts.mode} needs a covariance rank of at least 1 (rank 0 is the diagonal mode).`);
  }
  const mode = opts.mode;
  const tensors: ReferenceTensors = referenceTensors(reference, mode === 'diag' ? 0 : opts.rank);
  return {
    distortion: (s) => tf.tidy(() => distortion(propagateMoments(net, inputMoments(x, s, tensors, mode)), target, phiX)),
    dispose: () => disposeReferenceTensors(tensors),
  };
}
