// Differentiable maps h(x) on the softplus stand-in of the network (METHODS.md 6; Dombrowski et
// al. 2019): the gradient-family methods rebuilt with tf.grad so that the attack can take the
// gradient of a loss of h with respect to x (second derivatives, which ReLU's are zero for).
import * as tf from '@tensorflow/tfjs';
import { forwardLogits, smoothStandInProblem } from '../net/forward';
import type { Net } from '../net/ir';
import { pathQuadrature, type QuadratureRule } from '../methods/pathQuadrature';
import { integrationBaseline, type BaselineKind } from '../methods/integrationBaseline';
import type { ReferenceDistribution } from '../reference/distribution';
import { gaussian, mulberry32 } from '../util/random';

import { DIFFERENTIABLE_METHODS } from './params';

export { DIFFERENTIABLE_METHODS, isDifferentiableMethod } from './params';

/** Why the network has no softplus stand-in (a layer without a smooth version), or null. */
export function smoothNetProblem(net: Net): string | null {
  for (const layer of net.layers) {
    const problem = smoothStandInProblem(layer);
    if (problem) return problem;
  }
  return null;
}

/** A map as a function of the input, [1, h, w, c] → [1, h, w, c], differentiable again. Call inside tf.tidy. */
export type SmoothMap = (x: tf.Tensor4D) => tf.Tensor4D;

export interface SmoothMapContext {
  /** The original input (row-major [h, w, c]): SmoothGrad's σ and the integration baseline are taken from it once. */
  x0: Float32Array;
  shape: [number, number, number];
  seed: number;
  reference?: ReferenceDistribution;
}

/** ∂Φ_target/∂X of the softplus network for every input of a batch, as a tensor that can be differentiated again. */
function smoothGradient(net: Net, beta: number, target: number): (points: tf.Tensor4D) => tf.Tensor4D {
  return (points) => tf.grad((p: tf.Tensor) => {
    const logits = forwardLogits(net, p as tf.Tensor4D, { softplusBeta: beta });
    return tf.sum(tf.slice(logits, [0, target], [-1, 1]));
  })(points) as tf.Tensor4D;
}

/**
 * h(x) for a differentiable method with its parsed parameters, on the softplus_β network. The
 * method's randomness is fixed: SmoothGrad's N noise draws are those its own explain draws
 * from the seed (the same order), with σ from the original input's range; Integrated Gradients
 * uses its quadrature and a baseline computed once from the original input.
 */
export function smoothMap(
  net: Net, methodId: string, params: Record<string, unknown>, target: number, beta: number, ctx: SmoothMapContext,
): SmoothMap {
  const problem = smoothNetProblem(net);
  if (problem) {
    throw new Error(`The gradient attack needs a smooth stand-in of the network, and ${problem}. Use the black-box attack (kind black-box) instead.`);
  }
  const grad = smoothGradient(net, beta, target);
  const [h, w, c] = ctx.shape;
  const d = h * w * c;
  switch (methodId) {
    case 'gradient': {
      const variant = params.variant as 'raw' | 'absolute' | 'squared';
      return (x) => {
        const g = grad(x);
        return variant === 'absolute' ? tf.abs(g) : variant === 'squared' ? tf.square(g) : g;
      };
    }
    case 'gradient-input':
      return (x) => tf.mul(x, grad(x));
    case 'smoothgrad': {
      const samples = params.samples as number;
      const variant = params.variant as 'plain' | 'squared' | 'vargrad';
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of ctx.x0) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const sigma = (params.noiseLevel as number) * (hi - lo);
      const normal = gaussian(mulberry32(ctx.seed));
      const noise = new Float32Array(samples * d);
      for (let i = 0; i < noise.length; i++) noise[i] = sigma * normal();
      return (x) => {
        const points = tf.add(x, tf.tensor4d(noise, [samples, h, w, c])) as tf.Tensor4D;
        const g = grad(points);
        const mean = tf.mean(g, 0, true);
        if (variant === 'plain') return mean as tf.Tensor4D;
        const meanSquare = tf.mean(tf.square(g), 0, true);
        return (variant === 'squared' ? meanSquare : tf.sub(meanSquare, tf.square(mean))) as tf.Tensor4D;
      };
    }
    case 'integrated-gradients': {
      const { alphas, weights } = pathQuadrature(params.rule as QuadratureRule, params.steps as number);
      const baseline = integrationBaseline(params.baseline as BaselineKind, ctx.x0, ctx.shape, { reference: ctx.reference, blurSigma: params.blurSigma as number });
      const n = alphas.length;
      return (x) => {
        const b = tf.tensor4d(baseline, [1, h, w, c]);
        const diff = tf.sub(x, b);
        const a = tf.tensor4d(Float32Array.from(alphas), [n, 1, 1, 1]);
        const points = tf.add(b, tf.mul(a, diff)) as tf.Tensor4D;
        const g = grad(points);
        const integral = tf.sum(tf.mul(g, tf.tensor4d(Float32Array.from(weights), [n, 1, 1, 1])), 0, true);
        return tf.mul(diff, integral) as tf.Tensor4D;
      };
    }
    default:
      throw new Error(`The gradient attack cannot differentiate ${methodId}'s map with respect to the input; it can: ${DIFFERENTIABLE_METHODS.join(', ')}. Use the black-box attack (kind black-box).`);
  }
}
