import * as tf from '@tensorflow/tfjs';
import { registerComposedConvKernel } from './composedKernel';

/**
 * Conv2DBackpropFilter for backends that lack it (tfjs-backend-wasm 4.22).
 *
 * dW[a,b,ci,co] = sum_{n,i,j} xpad[n, i*s_h + a, j*s_w + b, ci] * dy[n,i,j,co]
 *
 * That sum is itself a convolution: treat the input channels as the batch, the batch as the
 * input channels, and dy as a filter of size Ho x Wo whose taps lie s apart (dilation = the
 * forward stride). The result is sliced to the filter size, since 'same' padding may leave
 * a few extra rows.
 */
export function conv2dBackpropFilterComposed(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(
    x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  return tf.tidy(() => {
    const { top, bottom, left, right } = info.padInfo;
    const padded = top || bottom || left || right
      ? tf.pad(x, [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]])
      : x;
    const xT = tf.transpose(padded, [3, 1, 2, 0]);
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    const full = tf.conv2d(xT as tf.Tensor4D, dyT as tf.Tensor4D, 1, 'valid', 'NHWC',
      [info.strideHeight, info.strideWidth]);
    const [kh, kw] = filterShape;
    const cropped = tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(cropped, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** Registers the composed kernel on `backendName` unless that backend already has one. */
export function registerConv2dBackpropFilter(backendName: string): void {
  registerComposedConvKernel<{ filterShape: [number, number, number, number] }>('Conv2DBackpropFilter', backendName, false,
    ({ x, dy }, a) => conv2dBackpropFilterComposed(x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode));
}
