import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../../tf/node';
import type { ChannelAffineLayer, Conv2dLayer, DenseLayer, Padding } from '../../net/ir';
import { gaussian, mulberry32 } from '../../util/random';
import { relativeError } from '../../util/relativeError';
import { linearLayerOf, type WeightedLayer } from './linearLayer';
import { parseRule } from './ruleSpec';
import { STABILISER } from './rules';

/**
 * Every rule against an independent float64 evaluation of its formula in METHODS.md 4, on a
 * dense layer, convolutions with stride 2 'same' (asymmetric padding: 6 → 3 pads one row at the
 * bottom only) and stride 1 'valid', and a per-channel affine map. The convolutions are written
 * out as explicit matrices from their geometry, so the reference shares no code with the
 * four-step recipe or tfjs.
 */

/** A layer as an explicit matrix w[in][out] (NHWC flatten order) and bias per output. */
interface Explicit { w: number[][]; b: number[] | null; connected: number[][] }

const DEFAULTS = { epsilon: 0.1, gamma: 0.25, low: -1, high: 2 };

function convAsMatrix(kernel: number[], [kh, kw, cin, cout]: number[], [h, w]: number[], stride: number, padding: Padding, useKernel: boolean): number[][] {
  const outH = padding === 'same' ? Math.ceil(h / stride) : Math.ceil((h - kh + 1) / stride);
  const outW = padding === 'same' ? Math.ceil(w / stride) : Math.ceil((w - kw + 1) / stride);
  // tfjs/TensorFlow 'same': total padding max((out − 1)·s + k − in, 0), the smaller half on top/left.
  const top = padding === 'same' ? Math.floor(Math.max((outH - 1) * stride + kh - h, 0) / 2) : 0;
  const left = padding === 'same' ? Math.floor(Math.max((outW - 1) * stride + kw - w, 0) / 2) : 0;
  const m = Array.from({ length: h * w * cin }, () => new Array<number>(outH * outW * cout).fill(0));
  for (let or = 0; or < outH; or++) for (let oc = 0; oc < outW; oc++) for (let o = 0; o < cout; o++) {
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < cin; c++) {
      const r = or * stride + i - top;
      const cc = oc * stride + j - left;
      if (r < 0 || r >= h || cc < 0 || cc >= w) continue;
      m[(r * w + cc) * cin + c][(or * outW + oc) * cout + o] += useKernel ? kernel[((i * kw + j) * cin + c) * cout + o] : 1;
    }
  }
  return m;
}

const stab = (z: number, eps: number) => z + (z >= 0 ? eps : -eps);
const pos = (v: number) => Math.max(v, 0);
const neg = (v: number) => Math.min(v, 0);

/**
 * R_j = Σ_k num(j,k) / (Σ_j num(j,k) + bias_k ± ε) · R_k for a numerator per connection, and
 * the condition number κ = max_k (Σ_j |num(j,k)| + |bias_k|) / |z_k| of those sums (how much
 * cancellation magnifies float32 rounding).
 */
interface Shared { values: number[]; kappa: number }
function share(e: Explicit, num: (j: number, k: number) => number, bias: (k: number) => number, relevance: number[], eps: number): Shared {
  const nIn = e.w.length;
  let kappa = 1;
  const z = relevance.map((_, k) => {
    let s = bias(k);
    let magnitude = Math.abs(bias(k));
    for (let j = 0; j < nIn; j++) {
      s += num(j, k);
      magnitude += Math.abs(num(j, k));
    }
    const zk = stab(s, eps);
    kappa = Math.max(kappa, magnitude / Math.abs(zk));
    return zk;
  });
  return { values: Array.from({ length: nIn }, (_, j) => relevance.reduce((acc, r, k) => acc + (num(j, k) / z[k]) * r, 0)), kappa };
}

/** METHODS.md 4, term by term. */
function reference(spec: string, e: Explicit, a: number[], relevance: number[]): Shared {
  const b = (k: number) => (e.b ? e.b[k] : 0);
  const weights = (rho: (v: number) => number, eps: number) => share(e, (j, k) => a[j] * rho(e.w[j][k]), (k) => rho(b(k)), relevance, eps);
  switch (spec) {
    case 'zero': return weights((v) => v, STABILISER);
    case 'epsilon': return weights((v) => v, DEFAULTS.epsilon);
    case 'gamma': return weights((v) => v + DEFAULTS.gamma * pos(v), STABILISER);
    case 'zplus': return weights(pos, STABILISER);
    case 'wsquare': return share(e, (j, k) => e.w[j][k] ** 2, () => 0, relevance, STABILISER);
    case 'flat': return share(e, (j, k) => e.connected[j][k], () => 0, relevance, STABILISER);
    case 'zbox': return share(e, (j, k) => a[j] * e.w[j][k] - DEFAULTS.low * pos(e.w[j][k]) - DEFAULTS.high * neg(e.w[j][k]), () => 0, relevance, STABILISER);
    default: {
      const [alpha, beta] = spec === 'alpha1beta0' ? [1, 0] : spec === 'alpha2beta1' ? [2, 1] : [3, 2];
      const plus = share(e, (j, k) => pos(a[j] * e.w[j][k]), (k) => pos(b(k)), relevance, STABILISER);
      const minus = share(e, (j, k) => neg(a[j] * e.w[j][k]), (k) => neg(b(k)), relevance, STABILISER);
      return { values: plus.values.map((p, j) => alpha * p - beta * minus.values[j]), kappa: Math.max(plus.kappa, minus.kappa) };
    }
  }
}

const SPECS: Array<[string, string]> = [
  ['zero', 'zero'], ['epsilon', 'epsilon'], ['gamma', 'gamma'], ['zplus', 'zplus'], ['alpha1beta0', 'alpha1beta0'],
  ['alpha2beta1', 'alpha2beta1'], ['alphabeta(3,2)', 'alphabeta'], ['wsquare', 'wsquare'], ['flat', 'flat'], ['zbox', 'zbox'],
];

interface Case { name: string; layer: WeightedLayer; inShape: number[]; explicit: Explicit }

function cases(): Case[] {
  const normal = gaussian(mulberry32(5));
  const draw = (n: number, scale: number) => Array.from({ length: n }, () => Math.fround(scale * normal()));
  const denseW = draw(10 * 7, 0.5);
  const denseB = draw(7, 0.3);
  const dense: DenseLayer = { kind: 'dense', name: 'd', kernel: tf.tensor2d(denseW, [10, 7]), bias: tf.tensor1d(denseB) };
  const conv = (name: string, hw: number, stride: number, padding: Padding): Case => {
    const shape = [3, 3, 2, 3];
    const k = draw(54, 0.5);
    const bias = draw(3, 0.3);
    const layer: Conv2dLayer = { kind: 'conv2d', name, kernel: tf.tensor4d(k, shape as [number, number, number, number]), bias: tf.tensor1d(bias), strides: [stride, stride], padding };
    const w = convAsMatrix(k, shape, [hw, hw], stride, padding, true);
    const outs = w[0].length;
    return {
      name, layer, inShape: [1, hw, hw, 2],
      explicit: { w, b: Array.from({ length: outs }, (_, o) => bias[o % 3]), connected: convAsMatrix(k, shape, [hw, hw], stride, padding, false) },
    };
  };
  // One positive and one negative scale, so z⁺ keeps one channel and drops the other.
  const scale = draw(2, 1).map((v, i) => (i === 0 ? Math.abs(v) : -Math.abs(v)));
  const shift = draw(2, 0.3);
  const affine: ChannelAffineLayer = { kind: 'channelAffine', name: 'bn', scale: tf.tensor1d(scale), shift: tf.tensor1d(shift) };
  const diag = (v: (i: number) => number) => Array.from({ length: 18 }, (_, i) => Array.from({ length: 18 }, (_, j) => (i === j ? v(i) : 0)));
  return [
    {
      name: 'dense 10→7', layer: dense, inShape: [1, 10],
      explicit: { w: Array.from({ length: 10 }, (_, j) => denseW.slice(j * 7, j * 7 + 7)), b: denseB, connected: Array.from({ length: 10 }, () => new Array<number>(7).fill(1)) },
    },
    conv('conv 6x6, stride 2, same', 6, 2, 'same'),
    conv('conv 5x5, stride 1, valid', 5, 1, 'valid'),
    { name: 'channel affine 3x3x2', layer: affine, inShape: [1, 3, 3, 2], explicit: { w: diag((i) => scale[i % 2]), b: Array.from({ length: 18 }, (_, i) => shift[i % 2]), connected: diag(() => 1) } },
  ];
}

describe('each LRP rule against its formula evaluated in float64', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('matches on dense, strided/padded conv and channel-affine layers', () => {
    const all = cases();
    const rand = mulberry32(9);
    const normal = gaussian(rand);
    for (const c of all) {
      const nIn = c.explicit.w.length;
      const nOut = c.explicit.w[0].length;
      // Mixed-sign inputs exercise the a⁻ terms of αβ; zᴮ gets x inside its box [−1, 2].
      const mixed = Array.from({ length: nIn }, () => Math.fround(normal()));
      const boxed = Array.from({ length: nIn }, () => Math.fround(-1 + 3 * rand()));
      const relevance = Array.from({ length: nOut }, () => Math.fround(normal()));
      for (const [spec, kind] of SPECS) {
        const a = kind === 'zbox' ? boxed : mixed;
        const got = tf.tidy(() => {
          const rule = parseRule(spec, DEFAULTS);
          const layer = linearLayerOf(c.layer);
          const input = tf.tensor(a, c.inShape);
          const z = tf.add(layer.linear(input, layer.kernel), layer.bias ?? 0);
          return rule.propagate(layer, input, tf.reshape(tf.tensor1d(relevance), z.shape)).dataSync();
        });
        expect(got.length).toBe(nIn);
        const expected = reference(kind, c.explicit, a, relevance);
        const err = relativeError(got, expected.values);
        // float32 evaluation of the same sums: relative error ≈ u·κ with u = 6e-8. We allow
        // 1e-6·κ (16 u κ). Measured: ≤ 3e-6 everywhere except LRP-0 on the strided conv, where
        // one z_k nearly cancels (κ ≈ 4e3) and the error is 1.2e-4; a wrong sign, share or
        // connection gives errors of order 1.
        expect(err, `${spec} on ${c.name}: ${err.toExponential(2)}, κ = ${expected.kappa.toExponential(2)}`).toBeLessThan(1e-6 * expected.kappa);
      }
    }
    for (const c of all) tf.dispose(Object.values(c.layer).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
  });
});
