// Pixel flipping (METHODS.md §2; Samek et al. 2017): send components to a baseline in order of
// relevance, most relevant first (MoRF: a faithful map makes the score drop fast) or least
// relevant first (LeRF: the score should stay), and read the class score after each step.
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import { integrationBaseline } from '../methods/integrationBaseline';
import { throwIfAborted } from '../methods/types';
import { areaUpTo, keptCounts, relevanceOrder } from './ordering';
import { curveBatchRows } from './curve';
import { FLIP_BASELINES, type FlipCurve } from './types';

export const flipSettings = z.object({
  baseline: z.enum(FLIP_BASELINES).default('zeros').meta({ title: 'Baseline' })
    .describe('what a removed component becomes: zero, the reference mean, or the input blurred'),
  blurSigma: z.number().min(0).max(100).default(5).meta({ title: 'Blur σ' })
    .describe('σ in pixels of the blurred baseline'),
  score: z.enum(['logit', 'probability']).default('logit').meta({ title: 'Score' })
    .describe('the class logit Φ or its head probability'),
  step: z.number().int().min(1).default(5).meta({ title: 'Step g' }).describe('components removed per point'),
  maxRate: z.number().gt(0).max(1).default(1).meta({ title: 'Largest rate' }).describe('share of components removed at the last point'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0).meta({ title: 'Seed' }).describe('seed of the random tie-break'),
});
export type FlipSettings = z.infer<typeof flipSettings>;

/**
 * MoRF and LeRF score curves of one map, their areas over the rates removed (trapezoid) and
 * ABPC = area(LeRF) − area(MoRF). Deterministic apart from the tie-break: 2 passes per point.
 */
export async function pixelFlipping(
  net: Net, x: tf.Tensor4D, target: number, relevance: Float32Array, settings: FlipSettings,
  options: { reference?: ReferenceDistribution; signal?: AbortSignal } = {},
): Promise<FlipCurve> {
  const shape = x.shape.slice(1) as [number, number, number];
  const d = shape[0] * shape[1] * shape[2];
  if (relevance.length !== d) throw new Error(`The map has ${relevance.length} values; the input has ${d}.`);
  const ks = keptCounts(d, settings.step, settings.maxRate);
  const xs = Float32Array.from(await x.data());
  const base = integrationBaseline(settings.baseline, xs, shape, { reference: options.reference, blurSigma: settings.blurSigma });
  const order = relevanceOrder(relevance, settings.seed + 1);
  // Row 2i: the k = ks[i] most relevant removed; row 2i + 1: the k least relevant removed.
  const rowsPerCall = Math.max(2, curveBatchRows(d) - (curveBatchRows(d) % 2));
  const scores = new Float64Array(2 * ks.length);
  for (let r0 = 0; r0 < 2 * ks.length; r0 += rowsPerCall) {
    throwIfAborted(options.signal);
    const rc = Math.min(rowsPerCall, 2 * ks.length - r0);
    const batch = new Float32Array(rc * d);
    for (let r = 0; r < rc; r++) {
      const row = batch.subarray(r * d, (r + 1) * d);
      row.set(xs);
      const k = ks[(r0 + r) >> 1];
      const fromTop = ((r0 + r) & 1) === 0;
      for (let j = 0; j < k; j++) {
        const i = fromTop ? order[j] : order[d - 1 - j];
        row[i] = base[i];
      }
    }
    const score = tf.tidy(() => {
      const logits = forwardLogits(net, tf.tensor4d(batch, [rc, ...shape]));
      const s = settings.score === 'logit' ? logits : net.head === 'sigmoid' ? tf.sigmoid(logits) : tf.softmax(logits);
      return tf.squeeze(tf.slice(s, [0, target], [-1, 1]), [1]);
    });
    const values = await score.data().finally(() => score.dispose());
    for (let r = 0; r < rc; r++) scores[r0 + r] = values[r];
  }
  const rates = ks.map((k) => k / d);
  const morf = ks.map((_, i) => scores[2 * i]);
  const lerf = ks.map((_, i) => scores[2 * i + 1]);
  const last = rates[rates.length - 1];
  const aucMorf = areaUpTo(rates, morf, last) ?? 0;
  const aucLerf = areaUpTo(rates, lerf, last) ?? 0;
  return { rates, morf, lerf, aucMorf, aucLerf, abpc: aucLerf - aucMorf };
}
