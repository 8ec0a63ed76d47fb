import * as tf from '@tensorflow/tfjs';
import { yieldToEventLoop } from '../util/yieldToEventLoop';
import type { Net } from '../net/ir';
import { logitGradient } from './gradient';
import type { ExplainContext } from './types';
import { throwIfAborted } from './types';

/**
 * Inputs per backward call. Large enough that a small net's per-call overhead is amortised,
 * small enough that a 28x28 (or a few hundred pixel RGB) batch stays a few megabytes on any backend.
 */
export const GRADIENT_BATCH = 16;

/**
 * Evaluates ∂Φ_target/∂x at `count` points of one input's shape, GRADIENT_BATCH per backward
 * call, in order. `pointsOf(start, size)` returns those points row-major ([size, h, w, c]);
 * `consume` receives their gradients in the same layout. Checks the abort signal before every
 * batch and reports the fraction done after it, so SmoothGrad and Integrated Gradients share
 * one loop for progress, cancellation and tensor hygiene.
 */
export async function gradientsInBatches(
  net: Net,
  target: number,
  inputShape: [number, number, number],
  count: number,
  pointsOf: (start: number, size: number) => Float32Array,
  consume: (gradients: Float32Array, start: number, size: number) => void,
  ctx: ExplainContext,
): Promise<void> {
  const [h, w, c] = inputShape;
  for (let start = 0; start < count; start += GRADIENT_BATCH) {
    // A macrotask between batches lets a cancel (or a newer request) reach the worker.
    if (start > 0) await yieldToEventLoop();
    throwIfAborted(ctx.signal);
    const size = Math.min(GRADIENT_BATCH, count - start);
    const points = pointsOf(start, size);
    const g = tf.tidy(() => logitGradient(net, tf.tensor4d(points, [size, h, w, c]), target));
    let gradients: Float32Array;
    try {
      gradients = (await g.data()) as Float32Array;
    } finally {
      g.dispose();
    }
    consume(gradients, start, size);
    ctx.onProgress?.((start + size) / count);
  }
}

/** The single input of a method that explains one input at a time, as [h, w, c]. */
export function singleInputShape(x: tf.Tensor4D, methodLabel: string): [number, number, number] {
  const [batch, h, w, c] = x.shape;
  if (batch !== 1) throw new Error(`${methodLabel} explains one input at a time; got a batch of ${batch}.`);
  return [h, w, c];
}

/**
 * The start of a method that explains one input at a time: rejects a batch (singleInputShape),
 * then an aborted run, and only then reads the input. Returns its shape [h, w, c] and values.
 */
export async function readSingleInput(
  x: tf.Tensor4D, methodLabel: string, signal: AbortSignal | undefined,
): Promise<{ shape: [number, number, number]; xs: Float32Array }> {
  const shape = singleInputShape(x, methodLabel);
  throwIfAborted(signal);
  return { shape, xs: (await x.data()) as Float32Array };
}
