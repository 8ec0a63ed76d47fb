import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { netFromLayersModel } from '../net/fromLayersModel';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import { gradientMethod } from './gradient';
import { deconvnetMethod, guidedBackpropMethod } from './guidedBackprop';
import { forwardLogitsWithRelu } from './modifiedReluGradient';
import { AbortedError } from './types';
import { getMethod, parseMethodParams } from './registry';
import { seededInput, smallReluNet } from './testing/gradientFamilyNets';

interface ConvDenseCase {
  name: string; conv_bias: number[]; fc_bias: number[]; x_4x4: number[][]; target: number;
  logits: number[]; expected_guided_backprop_4x4: number[][]; tolerance: number;
}
const lrp = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../fixtures/lrp.json', import.meta.url)), 'utf8'),
) as { cases: Array<{ name: string }> };
const convDense = lrp.cases.find((c) => c.name.startsWith('one conv, then dense')) as ConvDenseCase;

/**
 * relu(fc(flatten(relu(conv3x3(x))))) of fixtures/lrp.json: conv 3x3 → 2 channels, all weights
 * 1, biases (−50, −75), valid; fc rows [1,1,1,1,1,−1,−1,−1] over the 8 conv activations in the
 * fixture's (channel, row, column) order. Our flatten is NHWC, (row, column, channel), so the
 * dense kernel row for activation (r, c, ch) is the fixture's column ch·4 + r·2 + c.
 */
function fixtureNet(): { model: tf.Sequential; net: Net } {
  const fcRow = [1, 1, 1, 1, 1, -1, -1, -1];
  const kernel: number[][] = [];
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 2; c++) {
      for (let ch = 0; ch < 2; ch++) kernel.push(Array.from({ length: 4 }, () => fcRow[ch * 4 + r * 2 + c]));
    }
  }
  const conv = tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, activation: 'relu' });
  const dense = tf.layers.dense({ units: 4, activation: 'relu' });
  const model = tf.sequential({ layers: [conv, tf.layers.flatten(), dense] });
  tf.tidy(() => {
    conv.setWeights([tf.ones([3, 3, 1, 2]), tf.tensor1d(convDense.conv_bias)]);
    dense.setWeights([tf.tensor2d(kernel), tf.tensor1d(convDense.fc_bias)]);
  });
  return { model, net: netFromLayersModel(model) };
}

/**
 * Deconvnet on the same net, by hand. Conv pre-activations are (−5, 4, 31, 40) for channel 0 and
 * (−30, −21, 6, 15) for channel 1; the output ReLU passes 1, the fc sends back the row
 * (1,1,1,1 | 1,−1,−1,−1), and the deconvnet ReLU keeps its positive part whatever the input:
 * channel 0 gets 1 at all four positions, channel 1 only at (0,0). The all-ones 3x3 kernel then
 * gives each pixel the number of kept windows covering it: 1·(windows of channel 0) + [pixel in
 * window (0,0)]. Guided backprop additionally drops channel 0's (0,0), where the input was −5,
 * which yields the fixture's map.
 */
const expectedDeconvnet = [
  [2, 3, 3, 1],
  [3, 5, 5, 2],
  [3, 5, 5, 2],
  [1, 2, 2, 1],
];

describe('guided backprop and deconvnet on the conv+dense case of fixtures/lrp.json', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    describe(backend, () => {
      beforeAll(async () => {
        await setupNodeBackend(backend);
      });

      it('the NHWC rebuild reproduces the fixture logits [54, 54, 54, 54]', () => {
        const { model, net } = fixtureNet();
        const logits = tf.tidy(() => forwardLogits(net, tf.tensor4d(convDense.x_4x4.flat(), [1, 4, 4, 1])).arraySync()[0]);
        expect(logits).toEqual(convDense.logits);
        model.dispose();
      });

      it('guided backprop gives expected_guided_backprop_4x4 within the fixture tolerance 1e-4', async () => {
        const { model, net } = fixtureNet();
        const x = tf.tensor4d(convDense.x_4x4.flat(), [1, 4, 4, 1]);
        const e = await guidedBackpropMethod.explain(net, x, convDense.target, {}, {});
        expect(e.shape).toEqual([1, 4, 4, 1]);
        const expected = convDense.expected_guided_backprop_4x4.flat();
        e.relevance.forEach((v, i) => expect(Math.abs(v - expected[i]), `pixel ${i}`).toBeLessThan(convDense.tolerance));
        x.dispose();
        model.dispose();
      });

      it('deconvnet gives the hand-derived map, and both differ from the plain gradient', async () => {
        const { model, net } = fixtureNet();
        const x = tf.tensor4d(convDense.x_4x4.flat(), [1, 4, 4, 1]);
        const e = await deconvnetMethod.explain(net, x, convDense.target, {}, {});
        const expected = expectedDeconvnet.flat();
        e.relevance.forEach((v, i) => expect(Math.abs(v - expected[i]), `pixel ${i}`).toBeLessThan(convDense.tolerance));
        // The plain gradient lets channel 1's negative fc weights through where it is active:
        // pixel (3,3) lies only in window (1,1), where channel 0 sends +1 and channel 1 sends −1.
        const g = await gradientMethod.explain(net, x, convDense.target, { variant: 'raw' }, {});
        expect(g.relevance[15]).toBe(0);
        expect(g.relevance[5]).toBe(1);
        x.dispose();
        model.dispose();
      });
    });
  }
});

describe('modified ReLU backward rules on a seeded conv net (wasm)', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('leave the forward pass unchanged', () => {
    const { model, net } = smallReluNet();
    const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
    const plain = tf.tidy(() => forwardLogits(net, x).arraySync());
    for (const rule of ['guided', 'deconvnet'] as const) {
      expect(tf.tidy(() => forwardLogitsWithRelu(net, x, rule).arraySync())).toEqual(plain);
    }
    x.dispose();
    model.dispose();
  });

  it('equal the gradient on a net without ReLUs (a linear conv net)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const net = netFromLayersModel(model);
    const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
    const g = await gradientMethod.explain(net, x, 0, { variant: 'raw' }, {});
    expect((await guidedBackpropMethod.explain(net, x, 0, {}, {})).relevance).toEqual(g.relevance);
    expect((await deconvnetMethod.explain(net, x, 0, {}, {})).relevance).toEqual(g.relevance);
    x.dispose();
    model.dispose();
  });

  it('pass an opaque layer with its plain gradient and name it in extras.opaqueLayers', async () => {
    const { model, net } = smallReluNet();
    // The same net with an identity the IR cannot see into, after the first ReLU.
    const withOpaque: Net = {
      ...net,
      layers: [net.layers[0], net.layers[1], { kind: 'opaque', name: 'identity', className: 'Custom', apply: (h) => tf.mul(h, 1) }, ...net.layers.slice(2)],
      unsupported: [{ name: 'identity', className: 'Custom' }],
    };
    const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
    for (const method of [guidedBackpropMethod, deconvnetMethod]) {
      const a = await method.explain(net, x, 1, {}, {});
      const b = await method.explain(withOpaque, x, 1, {}, {});
      expect(b.relevance).toEqual(a.relevance);
      expect(a.extras?.opaqueLayers).toEqual([]);
      expect(b.extras?.opaqueLayers).toEqual(['identity']);
    }
    x.dispose();
    model.dispose();
  });

  it('work on a batch, count one pass per input, report progress, leak nothing, and stop when aborted', async () => {
    const { model, net } = smallReluNet();
    const one = seededInput(7);
    const two = seededInput(8);
    const batch = tf.tensor4d(Float32Array.from([...one, ...two]), [2, 8, 8, 1]);
    const single = tf.tensor4d(two, [1, 8, 8, 1]);
    for (const method of [guidedBackpropMethod, deconvnetMethod]) {
      const progress: number[] = [];
      const before = tf.memory().numTensors;
      const both = await method.explain(net, batch, 2, {}, { onProgress: (f) => progress.push(f) });
      expect(tf.memory().numTensors).toBe(before);
      expect(progress).toEqual([1]);
      expect(both.passes).toEqual({ forward: 2, backward: 2 });
      const second = await method.explain(net, single, 2, {}, {});
      // Batched and single convolutions may sum in another order: 1e-6 on values of order 0.1.
      both.relevance.subarray(64).forEach((v, i) => expect(Math.abs(v - second.relevance[i])).toBeLessThan(1e-6));
      const aborted = new AbortController();
      aborted.abort();
      await expect(method.explain(net, single, 0, {}, { signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);
    }
    batch.dispose();
    single.dispose();
    model.dispose();
  });

  it('are registered, without parameters, usable on nets with opaque layers', () => {
    for (const id of ['guided-backprop', 'deconvnet']) {
      const method = getMethod(id);
      expect(parseMethodParams(method, {})).toEqual({});
      expect(method.requires).toBe('gradient');
    }
  });
});
