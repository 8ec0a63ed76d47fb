import * as tf from '@tensorflow/tfjs';
import type { ReferenceDistribution } from '../../reference/distribution';
import { disposeNoiseModel, noiseModel, sampleNoise } from '../../reference/noise';
import { integrationBaseline } from '../integrationBaseline';

/**
 * What an absent player's pixels take (METHODS.md 5): zeros, the reference mean E[n] of V, the
 * input blurred (the baselines Integrated Gradients uses too, built by integrationBaseline), or —
 * the interventional form — samples n_k from V, with v(S) the mean of Φ over the K samples.
 */
export const ABSENT_MODES = ['zeros', 'reference-mean', 'blurred', 'reference-samples'] as const;
export type AbsentMode = (typeof ABSENT_MODES)[number];

export interface AbsentOptions {
  reference?: ReferenceDistribution;
  /** σ in pixels of the blurred baseline. */
  blurSigma: number;
  /** K, the number of samples from V in the reference-samples mode. */
  samples: number;
  seed: number;
}

/**
 * The fillings of absent pixels, each a full image [h, w, c] (row-major, without the batch axis):
 * one for the fixed baselines, K for reference-samples. The samples are drawn once and shared by
 * every coalition (common random numbers), so v is one fixed function and its Shapley values
 * keep efficiency exactly.
 */
export async function absentFills(x: Float32Array, shape: [number, number, number], mode: AbsentMode, options: AbsentOptions): Promise<Float32Array[]> {
  if (mode !== 'reference-samples') return [integrationBaseline(mode, x, shape, options)];
  const d = x.length;
  const reference = options.reference;
  if (!reference) throw new Error('The reference-samples baseline needs the model\'s reference distribution, and none is loaded.');
  if (reference.mean.length !== d) throw new Error(`The reference distribution has ${reference.mean.length} components; the input has ${d}.`);
  if (!Number.isInteger(options.samples) || options.samples < 1) throw new Error(`The reference-samples baseline needs a whole number of samples ≥ 1; got ${options.samples}.`);
  const noise = noiseModel(reference, reference.rank);
  const drawn = sampleNoise(noise, options.samples, options.seed);
  try {
    const all = await drawn.data();
    return Array.from({ length: options.samples }, (_, k) => Float32Array.from(all.subarray(k * d, (k + 1) * d)));
  } finally {
    tf.dispose(drawn);
    disposeNoiseModel(noise);
  }
}
