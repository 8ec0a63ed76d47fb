import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { expect } from 'vitest';
import { AbortedError, type Method } from '../types';
import { seededInput, smallReluNet } from './gradientFamilyNets';

/**
 * Runs `explain` with a progress callback that records every fraction, expects it to leave no
 * tensors behind, and returns its result with the fractions in the order they came.
 */
export async function explainWithoutLeaks<T>(
  explain: (onProgress: (fraction: number) => void) => Promise<T>,
): Promise<{ result: T; progress: number[] }> {
  const progress: number[] = [];
  const before = tf.memory().numTensors;
  const result = await explain((f) => progress.push(f));
  expect(tf.memory().numTensors).toBe(before);
  return { result, progress };
}

/**
 * On the small ReLU net and the seeded input, target 0: a signal aborted before the run makes
 * `method` reject with AbortedError (with `params`); one aborted at the first progress report
 * makes it reject after that single report, 16/64 (with `sixtyFour`, which must ask for 64 points
 * done in batches of 16), leaving no tensors behind.
 */
export async function expectAbortsBeforeAndDuring<S extends z.ZodObject>(
  method: Method<S>, params: z.infer<S>, sixtyFour: z.infer<S>,
): Promise<void> {
  const { model, net } = smallReluNet();
  const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
  const aborted = new AbortController();
  aborted.abort();
  await expect(method.explain(net, x, 0, params, { signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);
  const during = new AbortController();
  const progress: number[] = [];
  const before = tf.memory().numTensors;
  const run = method.explain(net, x, 0, sixtyFour, {
    signal: during.signal,
    onProgress: (f) => {
      progress.push(f);
      during.abort();
    },
  });
  await expect(run).rejects.toBeInstanceOf(AbortedError);
  expect(progress).toEqual([16 / 64]);
  expect(tf.memory().numTensors).toBe(before);
  x.dispose();
  model.dispose();
}

/** On the small ReLU net, target 0: a batch of `batchSize` zero inputs makes `method` reject with `message`. */
export async function expectOneInputAtATime<S extends z.ZodObject>(
  method: Method<S>, params: z.infer<S>, batchSize: number, message: string,
): Promise<void> {
  const { model, net } = smallReluNet();
  const batch = tf.zeros([batchSize, 8, 8, 1]) as tf.Tensor4D;
  await expect(method.explain(net, batch, 0, params, {})).rejects.toThrow(message);
  batch.dispose();
  model.dispose();
}
