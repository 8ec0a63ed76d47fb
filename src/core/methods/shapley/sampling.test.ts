import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../../tf/node';
import { mulberry32 } from '../../util/random';
import type { CoalitionValues } from './coalitions';
import { exactShapley } from './exact';
import { kernelShap } from './kernelShap';
import { maskedScores, playerGame } from './maskedScores';
import { permutationShapley } from './permutation';
import { gridPlayers } from './players';
import { denseForward, featureGame, tenPlayerNet, type DenseSpec } from './testNets';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));

/**
 * The 10-player game: 2x2 patches of a seeded 4x10 input on a seeded conv net, absent patches zero,
 * class 0. Exact values (1024 coalitions): φ ≈ (−0.155, −0.025, −0.053, 0.068, −0.011, 0.070,
 * −0.011, 0.048, −0.054, −0.062), ‖φ‖ ≈ 0.215.
 */
let model: tf.Sequential;
let game: CoalitionValues;
let exact: Float64Array;

beforeAll(async () => {
  await setupNodeBackend('wasm');
  const built = tenPlayerNet();
  model = built.model;
  const rand = mulberry32(5);
  const x = Float32Array.from({ length: 40 }, () => rand());
  game = playerGame(gridPlayers(4, 10, 2), maskedScores(built.net, x, 0, [new Float32Array(40)], { maxInputs: 256, passes: { forward: 0 } }));
  exact = (await exactShapley(10, game, { batch: 256 })).phi;
  expect(Math.abs(exact[0] + 0.1549)).toBeLessThan(1e-4);
});

afterAll(() => model.dispose());

describe('permutation sampling with antithetic pairs on 10 players', () => {
  it('every estimate is within 4 of its own standard errors, and the standard errors are calibrated', async () => {
    // 100 orders (50 pairs), 902 coalitions per run, 20 seeds. The pairs are independent, so
    // (φ̂ − φ)/se is close to standard normal: measured max |z| = 3.0 and RMS z = 1.00 over the 200
    // values. Beyond 4 has probability 6e-5 per value; an RMS z outside [0.7, 1.4] means the
    // standard error is mis-estimated (e.g. computed over orders instead of pairs: too small by √2).
    const zs: number[] = [];
    for (const seed of SEEDS) {
      const est = await permutationShapley(10, game, { samples: 100, seed, batch: 256 });
      expect(est.evaluations).toBe(2 + 100 * 9);
      est.phi.forEach((p, i) => zs.push((p - exact[i]) / est.stderr[i]));
    }
    expect(Math.max(...zs.map(Math.abs))).toBeLessThan(4);
    const rmsZ = Math.sqrt(zs.reduce((a, z) => a + z * z, 0) / zs.length);
    expect(rmsZ).toBeGreaterThan(0.7);
    expect(rmsZ).toBeLessThan(1.4);
  });

  it('relative error below 8% on every seed (measured 0.9%–4.2%), and efficiency holds exactly', async () => {
    for (const seed of SEEDS) {
      const est = await permutationShapley(10, game, { samples: 100, seed, batch: 256 });
      const error = norm(est.phi.map((p, i) => p - exact[i])) / norm(exact);
      expect(error, `seed ${seed}`).toBeLessThan(0.08);
      // Each order's marginal contributions telescope to v(N) − v(∅): only float64 rounding remains.
      expect(Math.abs(est.phi.reduce((a, b) => a + b, 0) - (est.full - est.empty))).toBeLessThan(1e-12);
    }
  });

  it('an odd number of samples is rounded up to whole antithetic pairs', async () => {
    const est = await permutationShapley(10, game, { samples: 7, seed: 1 });
    expect(est.evaluations).toBe(2 + 8 * 9);
  });
});

describe('KernelSHAP on 10 players (sampling branch: 500 < 2¹⁰ − 2 coalitions)', () => {
  it('each run lies within 4.5 run-to-run standard deviations of the exact values, the mean within 4.5 standard errors', async () => {
    // Measured with 500 samples over 20 seeds: run-to-run SD per player 1.3e-3..2.5e-3, each run's
    // max |error| 1.8e-3..5.6e-3; the worst single error is 2.6 SD and the worst mean of 20 runs
    // 1.4 standard errors. A biased estimator (wrong kernel, a dropped constraint) misses by far more
    // than its own spread; 4.5 leaves room for a heavier-than-normal tail at 200 values.
    const runs: Float64Array[] = [];
    for (const seed of SEEDS) {
      const est = await kernelShap(10, game, { samples: 500, seed, batch: 256 });
      expect(est.sampled).toBe(true);
      expect(est.evaluations).toBe(502);
      runs.push(est.phi);
    }
    for (let i = 0; i < 10; i++) {
      const values = runs.map((r) => r[i]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
      for (const v of values) expect(Math.abs(v - exact[i]), `player ${i}`).toBeLessThan(4.5 * sd);
      expect(Math.abs(mean - exact[i]), `player ${i}, mean of 20 runs`).toBeLessThan(4.5 * sd / Math.sqrt(values.length));
    }
  });

  it('efficiency holds exactly (a constraint, not a fit), relative error below 8% per seed (measured 1.6%–3.9%)', async () => {
    for (const seed of SEEDS) {
      const est = await kernelShap(10, game, { samples: 500, seed, batch: 256 });
      expect(Math.abs(est.phi.reduce((a, b) => a + b, 0) - (est.full - est.empty))).toBeLessThan(1e-12);
      expect(norm(est.phi.map((p, i) => p - exact[i])) / norm(exact), `seed ${seed}`).toBeLessThan(0.08);
    }
  });

  it('more samples, smaller error: 1000 samples at least halve the mean error of 125 (√8 ≈ 2.8 expected)', async () => {
    const meanError = async (samples: number) => {
      let total = 0;
      for (const seed of SEEDS.slice(0, 10)) {
        const est = await kernelShap(10, game, { samples, seed, batch: 256 });
        total += norm(est.phi.map((p, i) => p - exact[i])) / norm(exact) / 10;
      }
      return total;
    };
    expect(await meanError(1000)).toBeLessThan(0.5 * await meanError(125));
  });

  it('with budget for every coalition it is the exact value', async () => {
    const est = await kernelShap(10, game, { samples: 1022, seed: 1, batch: 256 });
    expect(est.sampled).toBe(false);
    // Scores are the same float32 values as for the exact sum; the regression adds float64 rounding.
    est.phi.forEach((p, i) => expect(Math.abs(p - exact[i])).toBeLessThan(1e-9));
  });

  it('asks for more samples when the coalitions cannot determine every player', async () => {
    await expect(kernelShap(10, game, { samples: 2, seed: 1 })).rejects.toThrow('KernelSHAP: 2 sampled coalitions do not determine the values of 10 players; use more samples.');
  });
});

describe('both estimators on a game with high-order interactions (plain value function, 10 players)', () => {
  // v(S) = Σ aᵢzᵢ + 2·[0,1,2 ∈ S] + [3..8 ∈ S]: unanimity games of order 3 and 6, where the
  // weighting of coalition sizes matters (a near-additive net hides a wrong weighting). Exact:
  // φᵢ = aᵢ + 2/3 for i ≤ 2, aᵢ + 1/6 for 3 ≤ i ≤ 8, a₉ for player 9.
  const a = [0.3, -0.2, 0.1, 0.5, -0.4, 0.2, 0, 0.1, -0.1, 0.25];
  const v: CoalitionValues = async (cs) => Float64Array.from(cs, (z) => a.reduce((s, ai, i) => s + ai * z[i], 0)
    + 2 * (z[0] & z[1] & z[2]) + (z[3] & z[4] & z[5] & z[6] & z[7] & z[8]));
  const truth = a.map((ai, i) => ai + (i <= 2 ? 2 / 3 : i <= 8 ? 1 / 6 : 0));

  it('exact Shapley gives the unanimity split', async () => {
    (await exactShapley(10, v)).phi.forEach((p, i) => expect(Math.abs(p - truth[i])).toBeLessThan(1e-12));
  });

  it('KernelSHAP is unbiased: the mean of 200 runs (500 samples) is within 4 standard errors of φ', async () => {
    // Measured: worst |mean − φ| = 1.8 standard errors. Sampling sizes uniformly instead of by the
    // kernel gives 14.9 on this game, so the test sees the weighting.
    const runs: Float64Array[] = [];
    for (let seed = 1; seed <= 200; seed++) runs.push((await kernelShap(10, v, { samples: 500, seed })).phi);
    truth.forEach((t, i) => {
      const values = runs.map((r) => r[i]);
      const mean = values.reduce((x, y) => x + y, 0) / values.length;
      const sd = Math.sqrt(values.reduce((x, y) => x + (y - mean) ** 2, 0) / (values.length - 1));
      expect(Math.abs(mean - t), `player ${i}`).toBeLessThan(4 * sd / Math.sqrt(values.length));
    });
  });

  it('permutation sampling: every estimate within 4 of its standard errors (200 values)', async () => {
    // Measured on players 0..8: max |z| = 3.3, RMS z = 0.96. Player 9 only adds a₉, so every order
    // gives it exactly a₉ and its standard error is 0; the 1e-12 covers float64 rounding there.
    for (const seed of SEEDS) {
      const est = await permutationShapley(10, v, { samples: 100, seed });
      truth.forEach((t, i) => expect(Math.abs(est.phi[i] - t), `seed ${seed}, player ${i}`).toBeLessThanOrEqual(4 * est.stderr[i] + 1e-12));
    }
  });
});

describe('the fixture\'s sampling note (two-layer ReLU net, x = (20, 50, 30))', () => {
  const specs: DenseSpec[] = [
    { W: [[1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]], b: [-10, 1, 1, 1], relu: true },
    { W: [[1, 1, 1, 1], [1, 1, 1, 1]], b: [-1, 1] },
  ];
  const expected = [76.66666667, 196.66666667, 116.66666667];
  const v = featureGame((x) => denseForward(specs, x)[0], [20, 50, 30], [0, 0, 0]);

  it('permutation sampling with 300 orders lands within 1.0 of the exact values for seeds 1..20 (measured max 0.5)', async () => {
    for (const seed of SEEDS) {
      const est = await permutationShapley(3, v, { samples: 300, seed });
      est.phi.forEach((p, i) => expect(Math.abs(p - expected[i]), `seed ${seed}, player ${i}`).toBeLessThan(1.0));
    }
  });
});
