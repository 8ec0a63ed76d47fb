// `npm run cli -- evaluate` in-process: the JSON's shape, a curve recomputed from the JSON alone by
// a brute-force loop (one forward pass per filling), and the refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupNodeBackend } from '../core/tf/node';
import { forwardLogits } from '../core/net/forward';
import { disposeNoiseModel, noiseModel, sampleNoise } from '../core/reference/noise';
import { getMethod } from '../core/methods/registry';
import { mulberry32 } from '../core/util/random';
import { runCli, type CliDeps } from './cli';
import { PROJECT_ROOT } from './modelFiles';
import { openModel } from './studioSession';

const DIGIT_3 = join(PROJECT_ROOT, 'public', 'digits', 'digit-3-0.png');
const D = 28 * 28;

let dir: string;
let mnist: Awaited<ReturnType<typeof openModel>>;
/**
 * 'opaque': the MNIST bundle as a user model would arrive with a layer the IR cannot express
 * (propagation methods refuse it) and no reference.json.
 */
const deps: CliDeps = {
  openModel: async (model) => model === 'opaque'
    ? { ...mnist, meta: { ...mnist.meta, id: 'opaque' }, reference: undefined, net: { ...mnist.net, unsupported: [{ name: 'lambda_1', className: 'Lambda' }] } }
    : mnist,
};

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, deps);
  return { code, out, err };
}

async function expectError(argv: string[], message: string): Promise<void> {
  const r = await cli(...argv);
  expect(r.err[0]).toBe(`error: ${message}`);
  expect(r.code).toBe(1);
  expect(r.out).toEqual([]);
}

beforeAll(async () => {
  await setupNodeBackend('wasm');
  mnist = await openModel('mnist');
  dir = mkdtempSync(join(tmpdir(), 'evaluate-cli-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The order the JSON's map implies: by value, most relevant first, ties by a mulberry32 key from orderSeed. */
function order(relevance: number[], seed: number): number[] {
  const rand = mulberry32(seed);
  const key = relevance.map(() => rand());
  return relevance.map((_, i) => i).sort((a, b) => (relevance[b] - relevance[a]) || (key[a] - key[b]));
}

describe('evaluate', () => {
  it('writes every method\'s map, curve, AUC and flip; a studio curve recomputed pass by pass from the JSON matches', async () => {
    const out = join(dir, 'studio.json');
    const r = await cli('evaluate', '--model', 'mnist', '--image', DIGIT_3, '--methods', 'gradient,random,lrp:epsilon=0.01',
      '--protocol', 'studio', '--samples', '6', '--step', '98', '--max-rate', '0.25', '--rank', '10', '--seed', '7', '--flip', 'zeros', '--out', out);
    expect(r.err.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`3 of 3 methods evaluated (studio protocol, N = 6, class 3); wrote ${out}`]);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json).toMatchObject({ model: 'mnist', target: 3, predicted: 3, inputShape: [1, 28, 28, 1], layout: 'NHWC' });
    expect(json.settings).toEqual({ protocol: 'studio', samples: 6, step: 98, maxRate: 0.25, rank: 10, seed: 7, orderSeed: 8, methodSeed: 7 });
    expect(json.flipSettings).toMatchObject({ baseline: 'zeros', step: 98, seed: 7 });
    expect(json.input).toHaveLength(D);
    expect(Object.keys(json.methods)).toEqual(['gradient', 'random', 'lrp:epsilon=0.01']);
    for (const m of Object.values(json.methods) as Array<Record<string, any>>) {
      expect(m.relevance).toHaveLength(D);
      expect(m.kept).toEqual([0, 98, 196]);
      expect(m.rates).toEqual([0, 0.125, 0.25]);
      expect(m.distortion).toHaveLength(3);
      expect(m.stderr).toHaveLength(3);
      expect(Object.keys(m.auc)).toEqual(['r5', 'r20', 'all']);
      expect(Object.keys(m.aucStderr)).toEqual(['r5', 'r20', 'all']);
      expect(m.aucStderr.all).toBeGreaterThan(0);
      expect(m.flip.rates).toHaveLength(Math.floor(D / 98) + 1);
      expect(m.flip.abpc).toBeCloseTo(m.flip.aucLerf - m.flip.aucMorf, 12);
    }
    expect(json.methods['lrp:epsilon=0.01'].params.epsilon).toBe(0.01);

    // Brute force from the JSON: the fillings are V's draws at the stated rank and seed (the one
    // sampler, so the same numbers), each y built here and sent through the net alone (batch 1).
    const { net, reference } = mnist;
    const noise = noiseModel(reference!, json.settings.rank);
    const fillings = await sampleNoise(noise, json.settings.samples, json.settings.seed).array();
    disposeNoiseModel(noise);
    const logit = (pixels: number[]) => tf.tidy(() => forwardLogits(net, tf.tensor4d(pixels, json.inputShape)).dataSync()[json.target]);
    const phiX = logit(json.input);
    expect(json.scoreOfX).toBeCloseTo(phiX, 4);
    for (const m of Object.values(json.methods) as Array<Record<string, any>>) {
      const ranked = order(m.relevance, json.settings.orderSeed);
      m.kept.forEach((k: number, i: number) => {
        const keep = new Set(ranked.slice(0, k));
        const values = fillings.map((u) => 0.5 * (phiX - logit(u.map((v, j) => (keep.has(j) ? json.input[j] : v)))) ** 2);
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
        // Same draws, same order: equal to float32 precision (the CLI's batched forward pass sums
        // in another order than one input at a time; measured relative gaps ≤ 3e-8, bound 1e-6).
        expect(Math.abs(m.distortion[i] - mean)).toBeLessThanOrEqual(1e-6 * Math.max(1, mean));
        expect(Math.abs(m.stderr[i] - sd / Math.sqrt(values.length))).toBeLessThanOrEqual(1e-5 * Math.max(1, sd));
      });
      const trapezoid = m.rates.slice(1).reduce((a: number, r: number, i: number) => a + (r - m.rates[i]) * (m.distortion[i] + m.distortion[i + 1]) / 2, 0);
      expect(m.auc.all).toBeCloseTo(trapezoid, 10);
      const [v0, v1, v2] = m.distortion;
      expect(m.auc.r20).toBeCloseTo(0.125 * (v0 + v1) / 2 + 0.075 * (v1 + v1 + (v2 - v1) * 0.6) / 2, 10);
      expect(m.auc.r5).toBeCloseTo(0.05 * (v0 + v0 + (v1 - v0) * 0.4) / 2, 10);
    }
  }, 60_000);

  it('paper protocol: distortion in [0, 1] (squared probability gaps); a failing method gets its reason, the others run', async () => {
    const out = join(dir, 'opaque.json');
    const r = await cli('evaluate', '--model', 'opaque', '--image', DIGIT_3, '--methods', 'gradient,lrp', '--protocol', 'paper',
      '--samples', '4', '--step', '196', '--max-rate', '0.5', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`1 of 2 methods evaluated (paper protocol, N = 4, class 3); wrote ${out}`]);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.methods.lrp).toEqual({ method: 'lrp', params: expect.any(Object), error: 'LRP needs every layer in the network IR; not expressible: lambda_1 (Lambda).' });
    expect(json.methods.gradient.kept).toEqual([0, 196, 392]);
    expect(json.settings).toMatchObject({ protocol: 'paper', rank: 0 });
    expect(json.scoreOfX).toBeGreaterThan(0.5);
    expect(json.scoreOfX).toBeLessThanOrEqual(1);
    for (const v of json.methods.gradient.distortion) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  }, 30_000);

  it('refuses N = 0, g > d, bad rates, unknown methods and parameters, and the studio protocol without V', async () => {
    const base = ['evaluate', '--model', 'mnist', '--image', DIGIT_3, '--out', join(dir, 'x.json')];
    await expectError([...base, '--methods', 'gradient', '--samples', '0'], '--samples must be an integer from 1 to 4096; got 0.');
    await expectError([...base, '--methods', 'gradient', '--max-rate', '0'], '--max-rate must be a number in (0, 1]; got 0.');
    await expectError([...base, '--methods', 'gradient', '--protocol', 'both'], '--protocol must be one of paper, studio; got both.');
    await expectError([...base, '--methods', 'gradient,nope'], 'Unknown method "nope". Known: gradient, gradient-input, smoothgrad, integrated-gradients, guided-backprop, deconvnet, lrp, deep-taylor, rde, shapley-exact, shapley-sampling, kernel-shap, lime, occlusion, random.');
    await expectError([...base, '--methods', 'gradient,gradient'], 'Method "gradient" is listed twice.');
    await expectError([...base, '--methods', 'rde:rank'], 'Method "rde:rank": "rank" is not name=value.');
    const rde = getMethod('rde');
    await expectError([...base, '--methods', 'rde:colour=red'], `${rde.label} has no parameter colour; it takes: ${Object.keys(rde.params.shape).join(', ')}.`);
    await expectError([...base, '--methods', 'rde:mode=sideways'], `${rde.label}: parameter mode: Distortion mode must be one of diag, lowrank, lowrank-diag, mc.`);
    await expectError([...base, '--methods', 'gradient', '--step', '785'], 'The step g = 785 is larger than the input\'s 784 components.');
    await expectError([...base, '--methods', 'gradient', '--rank', '99'], '--rank must be an integer from 0 to 64 (the rank of mnist\'s reference distribution); got 99.');
    await expectError(['evaluate', '--model', 'opaque', '--image', DIGIT_3, '--out', join(dir, 'x.json'), '--methods', 'gradient', '--protocol', 'studio'],
      'The model opaque has no reference distribution V, which the studio protocol draws its noise from; use the paper protocol (uniform noise), or add a reference.json beside the model.');
    await expectError(['evaluate', '--model', 'mnist', '--image', DIGIT_3, '--methods', 'gradient'], '--out is required.');
    await expectError([...base.slice(0, -1), join(dir, 'missing', 'x.json'), '--methods', 'gradient'], `--out ${join(dir, 'missing', 'x.json')}: the folder ${join(dir, 'missing')} does not exist.`);
  }, 30_000);
});
