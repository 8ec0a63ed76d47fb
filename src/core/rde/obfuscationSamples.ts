import * as tf from '@tensorflow/tfjs';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import { obfuscate } from './monteCarloDistortion';
import { disposeNoiseModel, noiseModel, sampleNoise } from '../reference/noise';

export interface ObfuscationSamples {
  /** count x d pixels, NHWC per sample. */
  images: Float32Array;
  /** Φ(y) of the explained class for each sample. */
  scores: Float32Array;
}

/**
 * Random obfuscations y = s ⊙ x + (1 − s) ⊙ n, n ~ V at the given covariance rank, with their
 * scores Φ(y): what "randomising the non-relevant part" means, drawn for teaching.
 */
export async function sampleObfuscations(
  net: Net, x: tf.Tensor4D, mask: Float32Array, target: number, reference: ReferenceDistribution,
  opts: { count: number; rank: number; seed: number },
): Promise<ObfuscationSamples> {
  if (mask.length !== x.size) throw new Error(`The mask has ${mask.length} values; the input has ${x.size}.`);
  const noise = noiseModel(reference, opts.rank);
  const [images, scores] = tf.tidy(() => {
    const y = obfuscate(x, tf.tensor(mask, x.shape), sampleNoise(noise, opts.count, opts.seed));
    return [y, tf.squeeze(tf.slice(forwardLogits(net, y), [0, target], [-1, 1]), [1])];
  });
  disposeNoiseModel(noise);
  const [imageData, scoreData] = await Promise.all([images.data(), scores.data()]);
  tf.dispose([images, scores]);
  return { images: Float32Array.from(imageData), scores: Float32Array.from(scoreData) };
}
