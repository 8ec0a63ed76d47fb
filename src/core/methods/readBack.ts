import type * as tf from '@tensorflow/tfjs';
import type { ExplainContext, Explanation } from './types';

/**
 * Reads a relevance map back from the backend as a Float32Array of its own (not a view the
 * backend might reuse), with its shape, and frees the tensor, also when reading fails.
 */
export async function readRelevance(t: tf.Tensor): Promise<{ relevance: Float32Array; shape: number[] }> {
  try {
    return { relevance: Float32Array.from(await t.data()), shape: t.shape.slice() };
  } finally {
    t.dispose();
  }
}

/**
 * The tail the gradient family shares (gradient, gradient × input, guided backprop, deconvnet):
 * the map `r` came from one forward and one backward pass per input of the batch `x`; read it
 * back, free it, report the run done and count the passes.
 */
export async function singlePassExplanation(
  r: tf.Tensor, x: tf.Tensor4D, ctx: ExplainContext, extras?: Record<string, unknown>,
): Promise<Explanation> {
  const { relevance, shape } = await readRelevance(r);
  ctx.onProgress?.(1);
  const inputs = x.shape[0];
  return { relevance, shape, passes: { forward: inputs, backward: inputs }, ...(extras ? { extras } : {}) };
}
