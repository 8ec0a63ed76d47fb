import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { forwardLogits } from '../net/forward';
import { gradientMethod } from './gradient';
import { gradientInputMethod } from './gradientInput';
import { AbortedError } from './types';
import { getMethod, parseMethodParams } from './registry';
import { linearNet, seededInput, smallReluNet } from './testing/gradientFamilyNets';

describe('Gradient × Input', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    describe(backend, () => {
      beforeAll(async () => {
        await setupNodeBackend(backend);
      });

      it('is the gradient times x elementwise (float32 products, bit for bit)', async () => {
        const { model, net } = smallReluNet();
        const xs = seededInput();
        const x = tf.tensor4d(xs, [1, 8, 8, 1]);
        for (let target = 0; target < 3; target++) {
          const g = await gradientMethod.explain(net, x, target, { variant: 'raw' }, {});
          const e = await gradientInputMethod.explain(net, x, target, {}, {});
          expect(e.shape).toEqual([1, 8, 8, 1]);
          expect(e.relevance).toEqual(Float32Array.from(g.relevance, (v, i) => Math.fround(v * xs[i])));
        }
        x.dispose();
        model.dispose();
      });

      it('on a linear model without bias is w_i x_i exactly and sums to the logit (1e-5)', async () => {
        const { model, net } = linearNet();
        const xs = seededInput(3);
        const x = tf.tensor4d(xs, [1, 8, 8, 1]);
        const w = (await model.layers[1].getWeights()[0].array()) as number[][];
        const logits = tf.tidy(() => forwardLogits(net, x).arraySync()[0]);
        for (let target = 0; target < 3; target++) {
          const e = await gradientInputMethod.explain(net, x, target, {}, {});
          e.relevance.forEach((v, i) => expect(v).toBe(Math.fround(w[i][target] * xs[i])));
          // Σ over 64 float32 products in float64 against the float32 logit (|Φ| ≲ 3): the logit's
          // own rounding is ~2e-7 per term; 1e-5 is a safe bound, a missing term is ~1e-2.
          const sum = e.relevance.reduce((a, v) => a + v, 0);
          expect(Math.abs(sum - logits[target])).toBeLessThan(1e-5);
        }
        x.dispose();
        model.dispose();
      });
    });
  }

  it('works on a batch, counts one pass per input, reports progress, leaks nothing, stops when aborted', async () => {
    await setupNodeBackend('wasm');
    const { model, net } = smallReluNet();
    const batch = tf.tensor4d(Float32Array.from([...seededInput(7), ...seededInput(8)]), [2, 8, 8, 1]);
    const progress: number[] = [];
    const before = tf.memory().numTensors;
    const e = await gradientInputMethod.explain(net, batch, 0, {}, { onProgress: (f) => progress.push(f) });
    expect(tf.memory().numTensors).toBe(before);
    expect(progress).toEqual([1]);
    expect(e.shape).toEqual([2, 8, 8, 1]);
    expect(e.passes).toEqual({ forward: 2, backward: 2 });
    const aborted = new AbortController();
    aborted.abort();
    await expect(gradientInputMethod.explain(net, batch, 0, {}, { signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);
    batch.dispose();
    model.dispose();
  });

  it('is registered without parameters', () => {
    const method = getMethod('gradient-input');
    expect(parseMethodParams(method, {})).toEqual({});
    expect(() => parseMethodParams(method, { steps: '3' })).toThrow(/has no parameter steps; it takes: none/);
  });
});
