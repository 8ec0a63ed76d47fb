import * as tf from '@tensorflow/tfjs';
import { netFromLayersModel } from '../../net/fromLayersModel';
import type { Net } from '../../net/ir';
import type { CoalitionValues } from './coalitions';
import { seededConvNet } from '../testing/seededConvNet';

export interface DenseSpec {
  /** out x in, as the fixtures write matrices (y = W x + b). */
  W: number[][];
  b?: number[];
  relu?: boolean;
}

/**
 * A tfjs dense model with fixed weights on an image input of the given shape (flattened first), converted
 * to the network IR: the path the studio takes for a loaded model.
 */
export function denseImageNet(shape: [number, number, number], specs: DenseSpec[]): { model: tf.Sequential; net: Net } {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: shape }));
  for (const spec of specs) {
    const layer = tf.layers.dense({ units: spec.W.length, useBias: spec.b != null, activation: spec.relu ? 'relu' : 'linear' });
    model.add(layer);
    const kernel = spec.W[0].map((_, i) => spec.W.map((row) => row[i]));
    // The layer's variables keep their own reference to the data, so the temporaries can go.
    tf.tidy(() => layer.setWeights(spec.b ? [tf.tensor2d(kernel), tf.tensor1d(spec.b)] : [tf.tensor2d(kernel)]));
  }
  return { model, net: netFromLayersModel(model) };
}

/** The same network in plain float64 arithmetic: output `target` of W_L(…relu(W_1 x + b_1)…) + b_L. */
export function denseForward(specs: DenseSpec[], x: ArrayLike<number>): number[] {
  return specs.reduce<number[]>((h, spec) => spec.W.map((row, k) => {
    const z = row.reduce((a, w, i) => a + w * h[i], spec.b?.[k] ?? 0);
    return spec.relu ? Math.max(0, z) : z;
  }), Array.from(x));
}

/**
 * The game of a plain function f on features: a coalition keeps its features of x, the others take
 * the baseline. `groups[i]` is the player of feature i (default: one player per feature).
 */
export function featureGame(f: (x: number[]) => number, x: number[], baseline: number[], groups = x.map((_, i) => i)): CoalitionValues {
  return async (coalitions) => Float64Array.from(coalitions, (z) => f(x.map((xi, i) => (z[groups[i]] ? xi : baseline[i]))));
}

/**
 * conv3x3(4, same)-relu · flatten · dense8-relu · dense2 on a 4x10x1 input, seeded: with 2x2 patches,
 * a 10-player game with interactions, small enough for all 1024 coalitions.
 */
export function tenPlayerNet(): { model: tf.Sequential; net: Net } {
  return seededConvNet({ inputShape: [4, 10, 1], outputs: 2, seed: 11, padding: 'same' });
}
