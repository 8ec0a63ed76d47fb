import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import type { ExplainContext, Method } from './types';
import { gradientsInBatches, readSingleInput } from './batchedGradient';
import { pathQuadrature, type QuadratureRule } from './pathQuadrature';
import { integrationBaseline } from './integrationBaseline';
import { LOGIT_SHARE } from './units';

const params = z.object({
  steps: z.number().int().min(1).max(4096).default(64).describe('steps n of the path integral (trapezoid evaluates n + 1 points)'),
  rule: z.enum(['left', 'right', 'middle', 'trapezoid']).default('middle')
    .describe('quadrature along the path: Riemann left, right or middle sums, or the trapezoid rule'),
  baseline: z.enum(['zeros', 'min', 'reference-mean', 'blurred']).default('zeros')
    .describe('where the path starts: zeros, the smallest input value, the reference mean, or the blurred input'),
  blurSigma: z.number().min(0).max(100).default(5).describe('σ in pixels of the Gaussian blur for the blurred baseline'),
});

export interface IntegratedGradientsResult {
  relevance: Float32Array;
  /** Φ(x) and Φ(b): completeness says Σ relevance = Φ(x) − Φ(b). */
  phiX: number;
  phiBaseline: number;
  /** Gradient evaluations along the path. */
  points: number;
}

/**
 * Integrated Gradients from an explicit baseline (METHODS.md 3; Sundararajan et al. 2017):
 * φ = (x − b) ⊙ Σ_k w_k ∇Φ(b + α_k (x − b)), the quadrature of ∫₀¹ ∇Φ(b + α(x − b)) dα.
 * x and b are one input's components, row-major [h, w, c]; sums are kept in float64.
 */
export async function integratedGradients(
  net: Net, x: Float32Array, baseline: Float32Array, shape: [number, number, number], target: number,
  rule: QuadratureRule, steps: number, ctx: ExplainContext,
): Promise<IntegratedGradientsResult> {
  const d = x.length;
  const { alphas, weights } = pathQuadrature(rule, steps);
  const integral = new Float64Array(d);
  await gradientsInBatches(net, target, shape, alphas.length, (start, size) => {
    const points = new Float32Array(size * d);
    for (let s = 0; s < size; s++) {
      const a = alphas[start + s];
      for (let i = 0; i < d; i++) points[s * d + i] = baseline[i] + a * (x[i] - baseline[i]);
    }
    return points;
  }, (g, start, size) => {
    for (let s = 0; s < size; s++) {
      const w = weights[start + s];
      for (let i = 0; i < d; i++) integral[i] += w * g[s * d + i];
    }
  }, ctx);
  const ends = tf.tidy(() => {
    const both = tf.tensor4d(Float32Array.from([...x, ...baseline]), [2, ...shape]);
    return tf.slice(forwardLogits(net, both), [0, target], [2, 1]);
  });
  const [phiX, phiBaseline] = await ends.data();
  ends.dispose();
  return {
    relevance: Float32Array.from(integral, (v, i) => (x[i] - baseline[i]) * v),
    phiX, phiBaseline, points: alphas.length,
  };
}

/** The method: Integrated Gradients with a chosen baseline and quadrature, and its completeness gap. */
export const integratedGradientsMethod: Method<typeof params> = {
  id: 'integrated-gradients',
  label: 'Integrated Gradients',
  family: 'gradient',
  description: 'Gradients averaged along the straight path from a baseline to the input, times the input’s difference from the baseline. They add up to Φ(x) − Φ(baseline).',
  formula: 'R = (x − b) ⊙ ∫₀¹ ∂Φₖ(b + α(x − b))/∂x dα',
  params,
  unit: LOGIT_SHARE,
  requires: 'gradient',
  cost: 'cheap',
  async explain(net, x, target, p, ctx) {
    const { shape, xs } = await readSingleInput(x, 'Integrated Gradients', ctx.signal);
    const baseline = integrationBaseline(p.baseline, xs, shape, { reference: ctx.reference, blurSigma: p.blurSigma });
    const r = await integratedGradients(net, xs, baseline, shape, target, p.rule, p.steps, ctx);
    const sum = r.relevance.reduce((a, v) => a + v, 0);
    return {
      relevance: r.relevance,
      shape: x.shape.slice(),
      check: { axiom: 'completeness', sum, expected: r.phiX - r.phiBaseline },
      passes: { forward: r.points + 2, backward: r.points },
      extras: { phiX: r.phiX, phiBaseline: r.phiBaseline },
    };
  },
};
