import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../../tf/node';
import { forwardLogits } from '../../net/forward';
import { seededInput, smallReluNet } from '../testing/gradientFamilyNets';
import { exactShapley } from './exact';
import { kernelShap } from './kernelShap';
import { shapleyExactMethod } from './shapleyExactMethod';
import { denseForward, denseImageNet, featureGame, type DenseSpec } from './testNets';

interface FixtureCase {
  name: string;
  A?: number[][]; B?: number[][];
  W1?: number[][]; b1?: number[]; W2?: number[][]; b2?: number[];
  x: number[]; baseline: number[];
  expected?: number[]; expected_per_output?: number[][];
  tolerance: number;
  grouped?: { feature_groups: number[]; expected: number[] };
}
const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../fixtures/shapley.json', import.meta.url)), 'utf8')) as { cases: FixtureCase[] };
const [sheetX, sheetXPrime, reluNet, reluNetSmall, polynomial] = fixture.cases;

const sheetSpecs = (c: FixtureCase): DenseSpec[] => [{ W: c.A!, relu: true }, { W: c.B! }];
// The "same net, small input" case reuses the weights of the case before it.
const reluSpecs: DenseSpec[] = [{ W: reluNet.W1!, b: reluNet.b1, relu: true }, { W: reluNet.W2!, b: reluNet.b2 }];
const defaults = shapleyExactMethod.params.parse({});

/** Exact Shapley values of one output through the studio's path: tf.layers model → IR → shapley-exact, one pixel per feature. */
async function throughNetwork(specs: DenseSpec[], c: FixtureCase, target: number, orientation: 'row' | 'column', patch = 1): Promise<{ values: number[]; relevance: Float32Array }> {
  const n = c.x.length;
  const shape: [number, number, number] = orientation === 'row' ? [1, n, 1] : [n, 1, 1];
  const { model, net } = denseImageNet(shape, specs);
  const x = tf.tensor4d(c.x, [1, ...shape]);
  const out = await shapleyExactMethod.explain(net, x, target, { ...defaults, patch }, {});
  x.dispose();
  model.dispose();
  return { values: out.extras!.playerValues as number[], relevance: out.relevance };
}

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs(actual[i] - e), `${label}, player ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tolerance));
}

describe('exact Shapley values on every case of fixtures/shapley.json, plain value functions', () => {
  // Plain value functions in float64: the estimator alone, at the fixture's tolerance.
  for (const c of [sheetX, sheetXPrime]) {
    it(`${c.name}: both outputs, plain value function`, async () => {
      for (const [k, expected] of c.expected_per_output!.entries()) {
        const game = featureGame((x) => denseForward(sheetSpecs(c), x)[k], c.x, c.baseline);
        const { phi } = await exactShapley(c.x.length, game);
        expectClose(phi, expected, c.tolerance, `output ${k}`);
      }
    });
  }

  for (const c of [reluNet, reluNetSmall]) {
    it(`${c.name}: plain value function`, async () => {
      const { phi } = await exactShapley(3, featureGame((x) => denseForward(reluSpecs, x)[0], c.x, c.baseline));
      expectClose(phi, c.expected!, c.tolerance, c.name);
    });
  }

  it('two-layer ReLU net, grouped features [0, 0, 1]: both features of a group get the group\'s value', async () => {
    const groups = reluNet.grouped!.feature_groups;
    const { phi } = await exactShapley(2, featureGame((x) => denseForward(reluSpecs, x)[0], reluNet.x, reluNet.baseline, groups));
    expectClose(groups.map((g) => phi[g]), reluNet.grouped!.expected, reluNet.tolerance, 'grouped');
  });

  it(`${polynomial.name}: plain value function (not a ReLU net)`, async () => {
    const f = (x: number[]) => x[0] * x[2] + x[1] + x[2] + x[2] * x[3];
    const { phi, empty, full } = await exactShapley(5, featureGame(f, polynomial.x, polynomial.baseline));
    expectClose(phi, polynomial.expected!, polynomial.tolerance, 'polynomial');
    expect(empty).toBe(0);
    expect(full).toBe(4);
  });

  it('KernelSHAP with budget for all coalitions returns the exact values (every fixture case)', async () => {
    for (const c of [reluNet, reluNetSmall]) {
      const out = await kernelShap(3, featureGame((x) => denseForward(reluSpecs, x)[0], c.x, c.baseline), { samples: 300, seed: 1 });
      expect(out.sampled).toBe(false);
      expectClose(out.phi, c.expected!, c.tolerance, c.name);
    }
    const f = (x: number[]) => x[0] * x[2] + x[1] + x[2] + x[2] * x[3];
    const out = await kernelShap(5, featureGame(f, polynomial.x, polynomial.baseline), { samples: 30, seed: 1 });
    // Solving the normal equations in float64 leaves ~1e-15; the fixture asks 1e-9.
    expectClose(out.phi, polynomial.expected!, polynomial.tolerance, 'polynomial');
  });
});

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`fixtures/shapley.json through tf.layers → IR → shapley-exact (${backend})`, () => {
    beforeAll(async () => {
      await setupNodeBackend(backend);
    });

    // Through the network IR the scores are float32, but with integer inputs and weights every
    // score of these cases is an integer below 2²⁴, exact in float32; what remains is the float64
    // weighting (measured ≤ 4e-9 against the fixture's 8-digit values), inside the fixture tolerances.
    for (const c of [sheetX, sheetXPrime]) {
      for (const orientation of ['row', 'column'] as const) {
        it(`${c.name}: both outputs (input ${orientation})`, async () => {
          for (const [k, expected] of c.expected_per_output!.entries()) {
            const { values, relevance } = await throughNetwork(sheetSpecs(c), c, k, orientation);
            expectClose(values, expected, c.tolerance, `output ${k}`);
            expectClose(relevance, expected, c.tolerance, `output ${k}, relevance (one pixel per player)`);
          }
        });
      }
    }

    for (const c of [reluNet, reluNetSmall]) {
      for (const orientation of ['row', 'column'] as const) {
        it(`${c.name} (input ${orientation})`, async () => {
          const { values } = await throughNetwork(reluSpecs, c, 0, orientation);
          expectClose(values, c.expected!, c.tolerance, c.name);
        });
      }
    }

    for (const orientation of ['row', 'column'] as const) {
      it(`grouped case: 2-pixel patches on the 3-pixel image are the groups [0, 0, 1] (input ${orientation})`, async () => {
        const { values, relevance } = await throughNetwork(reluSpecs, reluNet, 0, orientation, 2);
        const groups = reluNet.grouped!.feature_groups;
        expectClose(groups.map((g) => values[g]), reluNet.grouped!.expected, reluNet.tolerance, 'grouped');
        // The map spreads a player's value over its pixels: 275 / 2 on each of the first two.
        expectClose(relevance, [137.5, 137.5, 115], reluNet.tolerance, 'grouped relevance');
      });
    }
  });
}

describe('exact Shapley on a small conv net', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('efficiency: Σφ = Φ(x) − Φ(0) within 1e-4 for 16 players (2x2 patches on 8x8), all three classes', async () => {
    const { model, net } = smallReluNet();
    const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
    const zero = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    const both = tf.tidy(() => forwardLogits(net, tf.concat([x, zero])).arraySync());
    for (let target = 0; target < 3; target++) {
      const out = await shapleyExactMethod.explain(net, x, target, { ...defaults, patch: 2 }, {});
      const values = out.extras!.playerValues as number[];
      expect(values).toHaveLength(16);
      const expected = both[0][target] - both[1][target];
      // Σφ = v(N) − v(∅) is an identity of the weights; what remains is float64 summation of
      // float32 scores (~1e-7) and, for the map, float32 rounding of 64 pixel values.
      expect(Math.abs(values.reduce((a, b) => a + b, 0) - expected)).toBeLessThan(1e-4);
      expect(out.check!.axiom).toBe('efficiency');
      expect(Math.abs(out.check!.sum - expected)).toBeLessThan(1e-4);
      expect(Math.abs(out.check!.expected - expected)).toBeLessThan(1e-5);
      expect(out.passes).toEqual({ forward: 2 ** 16, backward: 0 });
      expect(Math.abs(out.extras!.full as number - both[0][target])).toBeLessThan(1e-5);
    }
    tf.dispose([x, zero]);
    model.dispose();
  });

  it('the batch size changes nothing: batch 1 and batch 256 give identical values', async () => {
    const { model, net } = smallReluNet();
    const x = tf.tensor4d(seededInput(3), [1, 8, 8, 1]);
    const small = await shapleyExactMethod.explain(net, x, 1, { ...defaults, patch: 4, batch: 1 }, {});
    const large = await shapleyExactMethod.explain(net, x, 1, { ...defaults, patch: 4, batch: 256 }, {});
    expect(small.extras!.playerCount).toBe(4);
    // Different batch sizes may round differently inside the backend's kernels: 1e-5 on scores ~1.
    expectClose(small.extras!.playerValues as number[], large.extras!.playerValues as number[], 1e-5, 'batch 1 vs 256');
    x.dispose();
    model.dispose();
  });

  it('refuses more than 16 players, saying what to do instead', async () => {
    const { model, net } = smallReluNet();
    const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
    await expect(shapleyExactMethod.explain(net, x, 0, { ...defaults, patch: 1 }, {}))
      .rejects.toThrow('Exact Shapley values need all 2^n coalitions; 64 players is above the limit of 16.');
    await expect(exactShapley(17, async (c) => new Float64Array(c.length))).rejects.toThrow(/17 players is above the limit of 16/);
    x.dispose();
    model.dispose();
  });
});
