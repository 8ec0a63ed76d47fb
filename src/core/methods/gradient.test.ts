import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import { gradientMethod } from './gradient';
import { getMethod, parseMethodParams } from './registry';
import { mulberry32 } from '../util/random';
import { loadNetFromFile } from '../../node/modelFiles';
import { loadMnistSplit, PIXELS } from '../../node/mnistData';
import { relativeError } from '../util/relativeError';
import { seededInput, smallReluNet } from './testing/gradientFamilyNets';
import { explainWithoutLeaks } from './testing/methodChecks';

/**
 * Central differences (Φ(x+h e_i) − Φ(x−h e_i)) / (x_i⁺ − x_i⁻) of the target logit for the given
 * pixels, all 2·|pixels| perturbed inputs in one batch. The divisor is the step actually taken
 * after rounding x_i ± h to float32, not 2h.
 */
function centralDifferences(net: Net, x: Float32Array, target: number, pixels: number[], h: number): Float64Array {
  const [height, width, channels] = net.inputShape;
  const n = x.length;
  const batch = new Float32Array(2 * pixels.length * n);
  const steps = pixels.map((p, k) => {
    const plus = batch.subarray(2 * k * n, (2 * k + 1) * n);
    const minus = batch.subarray((2 * k + 1) * n, (2 * k + 2) * n);
    plus.set(x);
    minus.set(x);
    plus[p] = Math.fround(x[p] + h);
    minus[p] = Math.fround(x[p] - h);
    return plus[p] - minus[p];
  });
  const z = tf.tidy(() => forwardLogits(net, tf.tensor4d(batch, [2 * pixels.length, height, width, channels])).dataSync());
  const k = net.outputs;
  return Float64Array.from(pixels, (_, i) => (z[2 * i * k + target] - z[(2 * i + 1) * k + target]) / steps[i]);
}

describe('gradient method against central finite differences', () => {
  // The small net is piecewise linear, so central differences are exact unless x ± h crosses a
  // ReLU kink; what remains is float32 rounding of the logits (≈1e-7 of their O(1) size),
  // divided by 2h. With h = 3e-3 that noise is ~1e-5 of |∂Φ/∂x| ≈ 0.1, and no kink lies within h
  // of this input for these seeds (at h = 3e-2 one does, and the error jumps to ~5e-2; at
  // h = 1e-4 rounding brings it to ~2e-3). Measured: 3e-5..8e-5 on both backends; we allow 1e-3.
  const h = 3e-3;
  const tolerance = 1e-3;

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`matches on all 64 pixels of a small conv+dense ReLU net (${backend})`, async () => {
      await setupNodeBackend(backend);
      const { model, net } = smallReluNet();
      const xs = seededInput();
      const x = tf.tensor4d(xs, [1, 8, 8, 1]);
      const pixels = Array.from({ length: 64 }, (_, i) => i);
      for (let target = 0; target < net.outputs; target++) {
        const { relevance, shape } = await gradientMethod.explain(net, x, target, { variant: 'raw' }, {});
        expect(shape).toEqual([1, 8, 8, 1]);
        const fd = centralDifferences(net, xs, target, pixels, h);
        const err = relativeError(fd, relevance);
        expect(err, `target ${target}: ‖g_fd − g‖/‖g‖ = ${err.toExponential(2)}`).toBeLessThan(tolerance);
      }
      x.dispose();
      model.dispose();
    });
  }

  it('matches on the built-in MNIST model for a held-out digit (top-20 and 20 random pixels)', async () => {
    await setupNodeBackend('wasm');
    const { model, net } = await loadNetFromFile('mnist');
    const { heldOut } = loadMnistSplit();
    // A held-out 3 (the 178th of its class), which the model classifies correctly.
    const index = 777;
    expect(heldOut.labels[index]).toBe(3);
    const xs = heldOut.images.slice(index * PIXELS, (index + 1) * PIXELS);
    const x = tf.tensor4d(xs, [1, 28, 28, 1]);
    const target = heldOut.labels[index];
    const { relevance: g } = await gradientMethod.explain(net, x, target, { variant: 'raw' }, {});
    const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a]));
    const top = order.slice(0, 20);
    const rand = mulberry32(11);
    const others = new Set<number>();
    while (others.size < 20) {
      const p = Math.floor(rand() * PIXELS);
      if (!top.includes(p)) others.add(p);
    }
    const pixels = [...top, ...others];
    const expected = pixels.map((p) => g[p]);
    // This net has ~30k ReLUs; background pixels are exactly 0, so units seeing only background
    // sit at their bias and a step of ±h·w crosses their kink when |bias| < h·|w|. Kinks shrink
    // with h while float32 noise in logits of size ~8 grows as 1/h; h = 1e-3 balances them.
    // Measured ‖g_fd − g‖/‖g‖ for this digit: ~1.3e-2 over all 40 pixels, ~8e-3 over the top 20
    // (the random pixels have |g| ~100x smaller, so the same absolute noise is larger relative).
    // We allow 5e-2 and 2e-2; a wrong sign, scale or pixel order gives errors of order 1.
    const fd = centralDifferences(net, xs, target, pixels, 1e-3);
    const all = relativeError(fd, expected);
    const topOnly = relativeError(fd.slice(0, 20), expected.slice(0, 20));
    expect(all, `40 pixels: ${all.toExponential(2)}`).toBeLessThan(5e-2);
    expect(topOnly, `top 20 pixels: ${topOnly.toExponential(2)}`).toBeLessThan(2e-2);
    x.dispose();
    model.dispose();
  });
});

describe('gradient method variants, shape and memory', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('absolute is |raw| and squared is raw² elementwise, shaped [1, ...inputShape]', async () => {
    const { model, net } = smallReluNet();
    const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
    const raw = await gradientMethod.explain(net, x, 1, { variant: 'raw' }, {});
    const absolute = await gradientMethod.explain(net, x, 1, { variant: 'absolute' }, {});
    const squared = await gradientMethod.explain(net, x, 1, { variant: 'squared' }, {});
    for (const e of [raw, absolute, squared]) {
      expect(e.shape).toEqual([1, ...net.inputShape]);
      expect(e.relevance.length).toBe(64);
    }
    expect(raw.relevance.some((v) => v < 0)).toBe(true);
    expect(raw.relevance.some((v) => v > 0)).toBe(true);
    for (let i = 0; i < raw.relevance.length; i++) {
      expect(absolute.relevance[i]).toBe(Math.abs(raw.relevance[i]));
      // float32 square of a float32 value: equal to the float64 square rounded to float32.
      expect(squared.relevance[i]).toBe(Math.fround(raw.relevance[i] ** 2));
    }
    x.dispose();
    model.dispose();
  });

  it('reports progress and leaves no tensors behind', async () => {
    const { model, net } = smallReluNet();
    const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
    for (const variant of ['raw', 'absolute', 'squared'] as const) {
      const { progress } = await explainWithoutLeaks((onProgress) => gradientMethod.explain(net, x, 2, { variant }, { onProgress }));
      expect(progress).toEqual([1]);
    }
    x.dispose();
    model.dispose();
  });

  it('works on a batch: one gradient per input', async () => {
    const { model, net } = smallReluNet();
    const one = seededInput();
    const two = Float32Array.from(one, (v) => 1 - v);
    const batch = tf.tensor4d(Float32Array.from([...one, ...two]), [2, 8, 8, 1]);
    const single = tf.tensor4d(two, [1, 8, 8, 1]);
    const both = await gradientMethod.explain(net, batch, 0, { variant: 'raw' }, {});
    const second = await gradientMethod.explain(net, single, 0, { variant: 'raw' }, {});
    expect(both.shape).toEqual([2, 8, 8, 1]);
    const tail = both.relevance.subarray(64);
    for (let i = 0; i < 64; i++) expect(tail[i]).toBeCloseTo(second.relevance[i], 6);
    batch.dispose();
    single.dispose();
    model.dispose();
  });

  it('stops before working when the signal is already aborted', async () => {
    const { model, net } = smallReluNet();
    const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
    const controller = new AbortController();
    controller.abort();
    await expect(gradientMethod.explain(net, x, 0, { variant: 'raw' }, { signal: controller.signal }))
      .rejects.toThrow('The run was cancelled.');
    x.dispose();
    model.dispose();
  });
});

describe('parseMethodParams for the gradient method', () => {
  const method = getMethod('gradient');

  it('defaults the variant to raw and accepts the three variants', () => {
    expect(parseMethodParams(method, {})).toEqual({ variant: 'raw' });
    for (const variant of ['raw', 'absolute', 'squared']) {
      expect(parseMethodParams(method, { variant })).toEqual({ variant });
    }
  });

  it('rejects an unknown variant, naming the parameter', () => {
    expect(() => parseMethodParams(method, { variant: 'cubed' })).toThrow(/parameter variant/);
  });

  it('rejects an unknown parameter, listing the known ones', () => {
    expect(() => parseMethodParams(method, { steps: '10' })).toThrow(/has no parameter steps; it takes: variant/);
  });
});
