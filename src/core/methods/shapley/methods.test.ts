import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../../tf/node';
import { forwardLogits } from '../../net/forward';
import { gaussianBlur } from '../../image/gaussianBlur';
import type { ReferenceDistribution } from '../../reference/distribution';
import { mulberry32 } from '../../util/random';
import { getMethod, parseMethodParams } from '../registry';
import type { Explanation, ExplainContext, Method } from '../types';
import { linearNet, seededInput, smallReluNet } from '../testing/gradientFamilyNets';

const IDS = ['shapley-exact', 'shapley-sampling', 'kernel-shap', 'lime', 'occlusion'] as const;
const method = (id: string) => getMethod(id);
const params = (id: string, raw: Record<string, unknown> = {}) => method(id).params.parse(raw);

/** A reference distribution for 8x8x1 inputs: seeded mean in [0, 0.5), variance 0.02, one factor row of size ≤ 0.05. */
function fakeReference(): ReferenceDistribution {
  const rand = mulberry32(31);
  return {
    shape: [8, 8, 1], count: 100, rank: 1,
    mean: Float32Array.from({ length: 64 }, () => 0.5 * rand()),
    variance: new Float32Array(64).fill(0.02),
    factor: Float32Array.from({ length: 64 }, () => 0.1 * (rand() - 0.5)),
  };
}
const reference = fakeReference();

let model: tf.Sequential;
let net: ReturnType<typeof smallReluNet>['net'];
let x: tf.Tensor4D;

beforeAll(async () => {
  await setupNodeBackend('wasm');
  ({ model, net } = smallReluNet());
  x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
});

afterAll(() => {
  x.dispose();
  model.dispose();
});

/** Small, quick settings per method on the 8x8 net (4 players of 4x4 for exact, 16 of 2x2 for the sampling estimators). */
const quick: Record<(typeof IDS)[number], Record<string, unknown>> = {
  'shapley-exact': { patch: 4 },
  'shapley-sampling': { patch: 2, samples: 20 },
  'kernel-shap': { patch: 2, samples: 200 },
  lime: { players: 'slic', segments: 9, samples: 200 },
  occlusion: { window: 3, stride: 2 },
};

const run = (id: (typeof IDS)[number], raw: Record<string, unknown>, ctx: ExplainContext): Promise<Explanation> =>
  method(id).explain(net, x, 1, params(id, { ...quick[id], ...raw }), ctx);

describe('registration and parameters', () => {
  it('all five are registered as game-theoretic, with every parameter described and defaulted', () => {
    for (const id of IDS) {
      const m: Method = method(id);
      expect(m.family).toBe('game-theoretic');
      for (const [name, field] of Object.entries(m.params.shape)) {
        expect((field as { description?: string }).description, `${id}.${name}`).toBeTruthy();
      }
      expect(() => m.params.parse({})).not.toThrow();
    }
    expect(params('shapley-exact')).toMatchObject({ players: 'grid', patch: 7, baseline: 'zeros', batch: 128 });
    expect(params('kernel-shap')).toMatchObject({ samples: 1000 });
    expect(params('occlusion')).toEqual({ window: 4, stride: 2, baseline: 'zeros', blurSigma: 5, referenceSamples: 8, batch: 128 });
  });

  it('parses CLI strings and rejects an unknown baseline', () => {
    const p = parseMethodParams(method('kernel-shap'), { players: 'slic', segments: '20', baseline: 'reference-samples', referenceSamples: '4' });
    expect(p).toMatchObject({ players: 'slic', segments: 20, baseline: 'reference-samples', referenceSamples: 4 });
    expect(() => parseMethodParams(method('lime'), { baseline: 'noise' })).toThrow(/parameter baseline/);
  });
});

describe('efficiency through the methods', () => {
  it('shapley-sampling and kernel-shap: Σ relevance = Φ(x) − Φ(0) within 1e-4 (both impose it exactly)', async () => {
    const zero = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    const z = tf.tidy(() => forwardLogits(net, tf.concat([x, zero])).arraySync());
    zero.dispose();
    for (const id of ['shapley-sampling', 'kernel-shap'] as const) {
      const out = await run(id, {}, { seed: 2 });
      expect(out.check!.axiom).toBe('efficiency');
      expect(Math.abs(out.check!.expected - (z[0][1] - z[1][1]))).toBeLessThan(1e-5);
      expect(Math.abs(out.check!.sum - out.check!.expected), id).toBeLessThan(1e-4);
    }
    const sampled = await run('shapley-sampling', {}, { seed: 2 });
    expect(sampled.extras!.standardErrors as number[]).toHaveLength(16);
    expect(sampled.passes).toEqual({ forward: 2 + 20 * 15, backward: 0 });
  });

  it('SLIC players: the map sums to v(N) − v(∅), and a player\'s pixels share one value', async () => {
    const out = await run('shapley-exact', { players: 'slic', segments: 9 }, {});
    const ids = out.extras!.players as number[];
    const count = out.extras!.playerCount as number;
    expect(count).toBeGreaterThanOrEqual(6);
    expect(count).toBeLessThanOrEqual(16);
    expect(Math.abs(out.check!.sum - out.check!.expected)).toBeLessThan(1e-4);
    const values = out.extras!.playerValues as number[];
    ids.forEach((id, p) => {
      const size = ids.filter((j) => j === id).length;
      expect(out.relevance[p]).toBeCloseTo(values[id] / size, 6);
    });
  });

  it('exact on the cpu backend too: Σφ = Φ(x) − Φ(0) within 1e-4', async () => {
    await setupNodeBackend('cpu');
    try {
      const out = await run('shapley-exact', { patch: 4 }, {});
      const zero = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
      const z = tf.tidy(() => forwardLogits(net, tf.concat([x, zero])).arraySync());
      zero.dispose();
      expect(Math.abs(out.check!.sum - (z[0][1] - z[1][1]))).toBeLessThan(1e-4);
    } finally {
      await setupNodeBackend('wasm');
    }
  });
});

describe('absent players on a linear model (Φ = wᵀx, 4 players of 4x4)', () => {
  // For a linear score, v(S) = Σ_{p∈S} w_p x_p + Σ_{p∉S} w_p b_p, so φ_i = Σ_{p∈i} w_p (x_p − b_p).
  async function linearCase(raw: Record<string, unknown>, ctx: ExplainContext) {
    const built = linearNet();
    const xs = seededInput(9);
    const input = tf.tensor4d(xs, [1, 8, 8, 1]);
    const w = Array.from(await built.model.layers[1].getWeights()[0].data()).filter((_, k) => k % 3 === 0);
    const out = await method('shapley-exact').explain(built.net, input, 0, params('shapley-exact', { patch: 4, ...raw }), ctx);
    input.dispose();
    built.model.dispose();
    const player = (p: number) => Math.floor(Math.floor(p / 8) / 4) * 2 + Math.floor((p % 8) / 4);
    const expected = (b: ArrayLike<number>) => [0, 1, 2, 3].map((i) => w.reduce((a, wp, p) => a + (player(p) === i ? wp * (xs[p] - b[p]) : 0), 0));
    return { values: out.extras!.playerValues as number[], w, xs, player, expected };
  }

  it('reference-mean: b = E[n]', async () => {
    const { values, expected } = await linearCase({ baseline: 'reference-mean' }, { reference });
    expected(reference.mean).forEach((e, i) => expect(Math.abs(values[i] - e)).toBeLessThan(1e-5));
  });

  it('blurred: b = the input blurred with σ = blurSigma', async () => {
    const { values, expected, xs } = await linearCase({ baseline: 'blurred', blurSigma: 1.5 }, {});
    expected(gaussianBlur(xs, [8, 8, 1], 1.5)).forEach((e, i) => expect(Math.abs(values[i] - e)).toBeLessThan(1e-5));
  });

  it('reference-samples: the mean over K = 64 samples from V, within 4.5 Monte-Carlo standard deviations of b = E[n]', async () => {
    // φ_i − Σ_{p∈i} w_p(x_p − μ_p) = −Σ_{p∈i} w_p (n̄_p − μ_p), whose variance is w_iᵀ Cov w_i / K with
    // Cov = diag(var − L²) + LᵀL (the noise model's residual plus its factor).
    const { values, expected, w, player } = await linearCase({ baseline: 'reference-samples', referenceSamples: 64 }, { reference, seed: 4 });
    const target = expected(reference.mean);
    const L = reference.factor;
    const deviations = [0, 1, 2, 3].map((i) => {
      let diagonal = 0;
      let along = 0;
      w.forEach((wp, p) => {
        if (player(p) !== i) return;
        diagonal += wp * wp * (reference.variance[p] - L[p] * L[p]);
        along += wp * L[p];
      });
      const sd = Math.sqrt((diagonal + along * along) / 64);
      return Math.abs(values[i] - target[i]) / sd;
    });
    deviations.forEach((d, i) => expect(d, `player ${i}`).toBeLessThan(4.5));
    // Not the mean itself: the sampling shows (each player has Monte-Carlo sd ~0.01–0.02).
    expect(Math.max(...deviations)).toBeGreaterThan(0.05);
  });

  it('reference baselines without a reference distribution fail with a clear message', async () => {
    await expect(linearCase({ baseline: 'reference-mean' }, {})).rejects.toThrow(/reference distribution/);
    await expect(linearCase({ baseline: 'reference-samples' }, {})).rejects.toThrow("The reference-samples baseline needs the model's reference distribution, and none is loaded.");
  });
});

describe('seeds, passes, memory, progress and cancellation', () => {
  it('same seed, same result; another seed, another result (sampling, KernelSHAP, LIME, reference samples)', async () => {
    const cases: Array<[(typeof IDS)[number], Record<string, unknown>]> = [
      ['shapley-sampling', {}], ['kernel-shap', {}], ['lime', {}],
      ['shapley-exact', { patch: 4, baseline: 'reference-samples', referenceSamples: 4 }],
    ];
    for (const [id, raw] of cases) {
      const a = await run(id, raw, { seed: 5, reference });
      const b = await run(id, raw, { seed: 5, reference });
      const c = await run(id, raw, { seed: 6, reference });
      expect(Array.from(b.relevance), id).toEqual(Array.from(a.relevance));
      expect(Array.from(c.relevance), id).not.toEqual(Array.from(a.relevance));
    }
  });

  it('counts forward passes: KernelSHAP with K = 4 reference samples uses (samples + 2)·K', async () => {
    const out = await run('kernel-shap', { samples: 100, baseline: 'reference-samples', referenceSamples: 4 }, { reference, seed: 1 });
    expect(out.passes).toEqual({ forward: 102 * 4, backward: 0 });
  });

  it('leaves no tensors behind, for every method and every baseline', async () => {
    for (const id of IDS) {
      for (const baseline of ['zeros', 'reference-mean', 'blurred', 'reference-samples']) {
        const before = tf.memory().numTensors;
        await run(id, { baseline, referenceSamples: 2 }, { reference, seed: 1 });
        expect(tf.memory().numTensors, `${id}, ${baseline}`).toBe(before);
      }
    }
  });

  it('reports progress rising to 1 in batches', async () => {
    for (const id of IDS) {
      const progress: number[] = [];
      await run(id, { batch: 4 }, { onProgress: (f) => progress.push(f), seed: 1 });
      expect(progress.length, id).toBeGreaterThan(1);
      expect(progress[progress.length - 1], id).toBe(1);
      progress.forEach((f, k) => expect(f).toBeGreaterThanOrEqual(k === 0 ? 0 : progress[k - 1]));
    }
  });

  it('stops at the next batch when cancelled, throwing the cancellation error and leaving no tensors', async () => {
    for (const id of IDS) {
      const controller = new AbortController();
      let calls = 0;
      const before = tf.memory().numTensors;
      const onProgress = () => {
        calls += 1;
        controller.abort();
      };
      await expect(run(id, { batch: 4, baseline: 'reference-samples', referenceSamples: 2 }, { onProgress, signal: controller.signal, reference, seed: 1 }))
        .rejects.toThrow('The run was cancelled.');
      expect(calls, id).toBe(1);
      expect(tf.memory().numTensors, id).toBe(before);
    }
    const aborted = new AbortController();
    aborted.abort();
    await expect(run('shapley-exact', {}, { signal: aborted.signal })).rejects.toThrow('The run was cancelled.');
  });

  it('refuses an input of the wrong shape or a batch of several inputs', async () => {
    const two = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
    await expect(method('kernel-shap').explain(net, two, 0, params('kernel-shap'), {})).rejects.toThrow('This method explains one input of shape [1, 8, 8, 1]; got [2, 8, 8, 1].');
    two.dispose();
  });
});
