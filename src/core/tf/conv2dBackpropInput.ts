import * as tf from '@tensorflow/tfjs';
import { registerComposedConvKernel } from './composedKernel';

/**
 * Conv2DBackpropInput composed from a forward conv2d, for the wasm backend, whose own kernel
 * is a plain loop about ten times slower than its XNNPACK conv2d (measured: 20 of the 34 ms
 * of an ADF gradient on the MNIST model went to it). Every gradient with respect to an input
 * image runs through this kernel, so every gradient method gains.
 *
 * With the forward y[i] = Σ_a xpad[i·s + a − p_top] W[a] (per axis), the input gradient is
 *   dx[p] = Σ_a dyd[p + p_top − a] W[a],
 * dyd being dy with s − 1 zeros between rows (and columns): a stride-1 'valid' correlation of
 * dyd, padded by k − 1 − p_top before and enough after to give the input size, with the kernel
 * flipped in space and its channel axes swapped.
 */
export function conv2dBackpropInputComposed(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: number | [number, number],
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth } = info;
  return tf.tidy(() => {
    const [n, ho, wo, c] = dy.shape;
    let dilated: tf.Tensor4D = dy;
    if (sh > 1 || sw > 1) {
      // Interleave zeros: [n, ho, 1, wo, 1, c] padded to [n, ho, sh, wo, sw, c], then cropped.
      const spread = tf.pad(tf.reshape(dy, [n, ho, 1, wo, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
      dilated = tf.slice(tf.reshape(spread, [n, ho * sh, wo * sw, c]), [0, 0, 0, 0], [n, (ho - 1) * sh + 1, (wo - 1) * sw + 1, c]) as tf.Tensor4D;
    }
    const before = [kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left];
    const after = [
      inHeight - 1 + info.padInfo.top - (ho - 1) * sh,
      inWidth - 1 + info.padInfo.left - (wo - 1) * sw,
    ];
    const padded = tf.pad(dilated, [[0, 0], [Math.max(0, before[0]), Math.max(0, after[0])], [Math.max(0, before[1]), Math.max(0, after[1])], [0, 0]]);
    // Negative padding (a forward that padded more than k − 1) is a crop.
    const cropped = tf.slice(padded, [0, Math.max(0, -before[0]), Math.max(0, -before[1]), 0],
      [n, padded.shape[1] - Math.max(0, -before[0]) - Math.max(0, -after[0]), padded.shape[2] - Math.max(0, -before[1]) - Math.max(0, -after[1]), c]);
    return tf.conv2d(cropped as tf.Tensor4D, flipFilter(filter), 1, 'valid') as tf.Tensor4D;
  });
}

/**
 * The filter flipped in space with its channel axes swapped, F[a, b, co, ci] = W[kh−1−a, kw−1−b, ci, co],
 * done in plain JS: wasm's Reverse kernel took 2.6 ms for a 5x5x64x64 filter, this loop ~0.2 ms.
 */
function flipFilter(filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const w = filter.dataSync() as Float32Array;
  const out = new Float32Array(w.length);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const src = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
      const dst = (a * kw + b) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[dst + o * ci + i] = w[src + i * co + o];
    }
  }
  return tf.tensor4d(out, [kh, kw, co, ci]);
}

/** Replaces `backendName`'s Conv2DBackpropInput with the composed one (once). */
export function registerConv2dBackpropInput(backendName: string): void {
  registerComposedConvKernel<{ inputShape: [number, number, number, number] }>('Conv2DBackpropInput', backendName, true,
    ({ dy, filter }, a) => conv2dBackpropInputComposed(dy, filter, a.inputShape, a.strides, a.pad, a.dimRoundingMode));
}
