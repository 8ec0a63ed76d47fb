import { z } from 'zod';
import type { Method } from './types';
import { gradientsInBatches, readSingleInput } from './batchedGradient';
import { gaussian, mulberry32 } from '../util/random';
import { GRADIENT_UNIT } from './units';

const params = z.object({
  noiseLevel: z.number().min(0).max(10).default(0.15)
    .describe('noise standard deviation as a fraction of the input range: σ = level × (max x − min x)'),
  samples: z.number().int().min(1).max(10_000).default(25).describe('noisy copies of the input to average over'),
  variant: z.enum(['plain', 'squared', 'vargrad']).default('plain')
    .describe('plain: mean gradient; squared: mean squared gradient (SmoothGrad²); vargrad: variance of the gradients'),
});

/**
 * Running mean and sum of squared deviations per component (Welford), in float64. Every
 * update adds δ·(g − mean_new), and δ and g − mean_new = δ(1 − 1/n) share a sign even after
 * rounding, so the variance is ≥ 0 by construction rather than by clamping a difference.
 */
class GradientMoments {
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  count = 0;

  constructor(d: number) {
    this.mean = new Float64Array(d);
    this.m2 = new Float64Array(d);
  }

  add(g: Float32Array, offset: number): void {
    this.count += 1;
    for (let i = 0; i < this.mean.length; i++) {
      const delta = g[offset + i] - this.mean[i];
      this.mean[i] += delta / this.count;
      this.m2[i] += delta * (g[offset + i] - this.mean[i]);
    }
  }
}

/**
 * SmoothGrad (Smilkov et al. 2017; METHODS.md 3): gradients averaged over x + N(0, σ²I) with
 * σ = noise level × (max x − min x). Variants: SmoothGrad² (mean of g², Hooker et al. 2019) and
 * VarGrad (variance of g, Adebayo et al. 2018; population variance, 1/N). The noise is drawn in
 * sample order from ctx.seed, so the same seed gives the same map whatever the batch size.
 */
export const smoothgradMethod: Method<typeof params> = {
  id: 'smoothgrad',
  label: 'SmoothGrad',
  family: 'gradient',
  description: 'The gradient averaged over noisy copies of the input, which removes its pixel-level jitter.',
  formula: 'R = 1/N Σₙ ∂Φₖ(x + εₙ)/∂x,  εₙ ~ N(0, σ²I),  σ = level·(max x − min x)',
  params,
  unit: GRADIENT_UNIT,
  requires: 'gradient',
  cost: 'cheap',
  async explain(net, x, target, p, ctx) {
    const { shape, xs } = await readSingleInput(x, 'SmoothGrad', ctx.signal);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of xs) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const sigma = p.noiseLevel * (hi - lo);
    const normal = gaussian(mulberry32(ctx.seed ?? 0));
    const d = xs.length;
    const moments = new GradientMoments(d);
    await gradientsInBatches(net, target, shape, p.samples, (_start, size) => {
      const points = new Float32Array(size * d);
      for (let i = 0; i < points.length; i++) points[i] = xs[i % d] + sigma * normal();
      return points;
    }, (g, _start, size) => {
      for (let s = 0; s < size; s++) moments.add(g, s * d);
    }, ctx);
    const n = moments.count;
    const relevance = Float32Array.from(moments.mean, (m, i) => {
      if (p.variant === 'plain') return m;
      const variance = moments.m2[i] / n;
      return p.variant === 'vargrad' ? variance : variance + m * m;
    });
    return {
      relevance, shape: x.shape.slice(),
      passes: { forward: p.samples, backward: p.samples },
      extras: { sigma },
    };
  },
};
