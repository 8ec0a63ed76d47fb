import * as tf from '@tensorflow/tfjs';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';

/**
 * Φ(x), the explained logit at the input, read back asynchronously: a synchronous read
 * (dataSync) stalls WebGPU, and on a software adapter it loses the device.
 */
export async function explainedLogit(net: Net, x: tf.Tensor4D, target: number): Promise<number> {
  const logit = tf.tidy(() => tf.slice(forwardLogits(net, x), [0, target], [1, 1]));
  const [value] = await logit.data();
  logit.dispose();
  return value;
}
