import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { forwardLayer } from '../net/forward';
import type { IRLayer } from '../net/ir';
import type { AdfMode } from './moments';
import { propagateLayer } from './rules';
import { compareWithMonteCarlo } from './testing/compareWithMonteCarlo';

const MODES: AdfMode[] = ['diag', 'lowrank', 'lowrank-diag'];
const SAMPLES = 60_000;
/**
 * Affine layers map a Gaussian to a Gaussian, so every rule is exact in every mode and only
 * Monte-Carlo noise separates it from the samples. The MC estimates have standard errors
 * √(v/N) (mean), √((m₄ − v²)/N) (variance) and √(E[(g−c)²z²]/N) (factor); over the ≤ 128
 * units × 3 statistics of one case a 5-SE deviation has probability < 1e-3 by chance, so a
 * larger one is a wrong rule (a 'same' border averaged over 9 instead of 6 inputs would be
 * off by ~50 SE). Measured: at most 3.5 SE (wasm, these seeds).
 */
const Z = 5;

const u = (shape: number[], seed: number) => tf.randomUniform(shape, -0.5, 0.5, 'float32', seed);

/** Layers built inside the tests (tensors need the backend), seeded weights. */
const LAYERS: Array<{ name: string; unitShape: number[]; make: () => IRLayer }> = [
  { name: 'dense', unitShape: [12], make: () => ({ kind: 'dense', name: 'dense', kernel: u([12, 5], 1) as tf.Tensor2D, bias: u([5], 2) as tf.Tensor1D }) },
  {
    name: 'conv 3x3 valid', unitShape: [4, 4, 2],
    make: () => ({ kind: 'conv2d', name: 'conv', kernel: u([3, 3, 2, 3], 3) as tf.Tensor4D, bias: u([3], 4) as tf.Tensor1D, strides: [1, 1], padding: 'valid' }),
  },
  {
    name: 'conv 3x3 same stride 2', unitShape: [4, 4, 2],
    make: () => ({ kind: 'conv2d', name: 'conv', kernel: u([3, 3, 2, 3], 5) as tf.Tensor4D, bias: null, strides: [2, 2], padding: 'same' }),
  },
  { name: 'avg pool 2x2', unitShape: [4, 4, 2], make: () => ({ kind: 'avgPool', name: 'avg', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }) },
  // Windows at the bottom and right border cover 6 or 4 of 9 positions; tfjs averages those only.
  {
    name: 'avg pool 3x3 same stride 2', unitShape: [4, 4, 2],
    make: () => ({ kind: 'avgPool', name: 'avg', poolSize: [3, 3], strides: [2, 2], padding: 'same' }),
  },
  { name: 'global avg pool', unitShape: [4, 4, 2], make: () => ({ kind: 'globalAvgPool', name: 'gap' }) },
  { name: 'flatten', unitShape: [4, 4, 2], make: () => ({ kind: 'flatten', name: 'flatten' }) },
  {
    name: 'channel affine', unitShape: [4, 4, 2],
    make: () => ({ kind: 'channelAffine', name: 'affine', scale: tf.tensor1d([1.5, -0.7]), shift: tf.tensor1d([0.3, -0.2]) }),
  },
];

describe('ADF affine rules against Monte Carlo (exact in every mode)', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  LAYERS.forEach(({ name, unitShape, make }, index) => {
    for (const mode of MODES) {
      it(`${name}, ${mode}: mean, variance and factor within ${Z} standard errors`, () => {
        const layer = make();
        const d = compareWithMonteCarlo(unitShape, mode, (m) => propagateLayer(layer, m), (y) => forwardLayer(layer, y), {
          samples: SAMPLES, seed: 100 + 10 * index,
        });
        tf.dispose(Object.values(layer).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
        const report = JSON.stringify(d);
        expect(d.meanZ, report).toBeLessThan(Z);
        expect(d.varianceZ, report).toBeLessThan(Z);
        expect(d.factorZ, report).toBeLessThan(Z);
      });
    }
  });
});
