import * as tf from '@tensorflow/tfjs';
import { AbortedError } from '../methods/types';
import { yieldToEventLoop } from '../util/yieldToEventLoop';
import { settled, type Objective } from './projectedGradient';

export interface AdamRecord { iteration: number; objective: number; distortion: number; rate: number; step: number }

/**
 * Adam with s clamped to [0,1] after each step (METHODS.md 1.2, as in CartoonX's pixel RDE),
 * for objectives ADF cannot take. The recorded objective is the one at the step's start.
 */
export async function adamOnBox(objective: Objective, s0: tf.Tensor, opts: {
  maxIterations: number; learningRate: number; signal?: AbortSignal;
  /** Stop once F has fallen by less than this fraction over the last 10 iterations (see settled). */
  plateau?: number;
  /** Awaited before the next iteration, so it may read s back asynchronously. */
  onIteration?: (record: AdamRecord, s: tf.Tensor) => void | Promise<void>;
}): Promise<{ s: tf.Tensor }> {
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  const history: AdamRecord[] = [];
  let s = tf.clipByValue(s0, 0, 1);
  let m = tf.zerosLike(s);
  let v = tf.zerosLike(s);
  const valueAndGrad = tf.valueAndGrad((t: tf.Tensor) => {
    const { values, parts } = objective(t);
    tf.keep(parts.distortion);
    tf.keep(parts.rate);
    captured = parts;
    return tf.sum(values);
  });
  let captured: Record<string, tf.Tensor1D> = {};
  for (let t = 1; t <= opts.maxIterations; t++) {
    if (t > 1) await yieldToEventLoop();
    if (opts.signal?.aborted) {
      tf.dispose([s, m, v]);
      throw new AbortedError();
    }
    const { value, grad } = valueAndGrad(s);
    // Read asynchronously: a synchronous read on WebGPU stalls the GPU (and loses a software adapter's device).
    const [objectiveValue, distortion, rate] = await Promise.all([value.data(), captured.distortion.data(), captured.rate.data()]);
    const record = { iteration: t, objective: objectiveValue[0], distortion: distortion[0], rate: rate[0], step: opts.learningRate };
    tf.dispose([value, captured.distortion, captured.rate]);
    const [m2, v2, s2] = tf.tidy(() => {
      const mn = tf.add(tf.mul(b1, m), tf.mul(1 - b1, grad));
      const vn = tf.add(tf.mul(b2, v), tf.mul(1 - b2, tf.square(grad)));
      const update = tf.div(tf.div(mn, 1 - b1 ** t), tf.add(tf.sqrt(tf.div(vn, 1 - b2 ** t)), eps));
      return [mn, vn, tf.clipByValue(tf.sub(s, tf.mul(opts.learningRate, update)), 0, 1)];
    });
    tf.dispose([grad, m, v, s]);
    m = m2;
    v = v2;
    s = s2;
    await opts.onIteration?.(record, s);
    history.push(record);
    if (settled(history, opts.plateau)) break;
  }
  tf.dispose([m, v]);
  return { s };
}
