import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { imageInput, inputTensor, openModel, type ModelMeta } from '../../node/studioSession';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../node/modelFiles';
import { mulberry32 } from '../util/random';
import { loadMnistSplit, PIXELS } from '../../node/mnistData';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import { parseMethodParams, getMethod } from '../methods/registry';
import { runRde, rdeParams, type RdeTraceRecord } from './rde';
import { sampleObfuscations } from './obfuscationSamples';
import { forwardLogits } from '../net/forward';
import { verifyDistortion } from './verify';

let net: Net;
let meta: ModelMeta;
let reference: ReferenceDistribution;
const { heldOut } = loadMnistSplit();
const digit = (i: number) => tf.tensor4d(heldOut.images.subarray(i * PIXELS, (i + 1) * PIXELS), [1, 28, 28, 1]);

function finite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

describe('RDE on the built-in MNIST model', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
    const opened = await openModel('mnist');
    net = opened.net;
    meta = opened.meta;
    reference = opened.reference!;
  });

  it('draws obfuscations: s = 1 gives x and Φ(x) exactly; s = 0 gives noise around the reference mean', async () => {
    const x = digit(2);
    const target = heldOut.labels[2];
    const before = tf.memory().numTensors;
    const kept = await sampleObfuscations(net, x, new Float32Array(PIXELS).fill(1), target, reference, { count: 4, rank: 10, seed: 1 });
    const phiX = tf.tidy(() => forwardLogits(net, x).dataSync()[target]);
    expect(kept.images).toHaveLength(4 * PIXELS);
    for (let k = 0; k < 4; k++) expect(kept.scores[k]).toBeCloseTo(phiX, 4);
    expect(Array.from(kept.images.subarray(3 * PIXELS, 4 * PIXELS))).toEqual(Array.from(heldOut.images.subarray(2 * PIXELS, 3 * PIXELS)));
    // 400 draws of pure noise: the mean image is within 4 standard errors of μ on average,
    // i.e. the mean absolute deviation is about sqrt(var/400)·0.8 — we allow 0.05 (var ≤ 0.2).
    const noise = await sampleObfuscations(net, x, new Float32Array(PIXELS), target, reference, { count: 400, rank: 10, seed: 2 });
    let deviation = 0;
    for (let i = 0; i < PIXELS; i++) {
      let mean = 0;
      for (let k = 0; k < 400; k++) mean += noise.images[k * PIXELS + i] / 400;
      deviation += Math.abs(mean - reference.mean[i]) / PIXELS;
    }
    expect(deviation).toBeLessThan(0.05);
    expect(new Set(noise.scores).size).toBe(400);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('runs 30 iterations in diagonal mode: s in [0,1], a finite trace of 30 records, no tensor left', async () => {
    const x = digit(5);
    const before = tf.memory().numTensors;
    const out = await runRde(net, x, heldOut.labels[5], rdeParams.parse({ iterations: 30 }), { reference });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.shape).toEqual([1, 28, 28, 1]);
    expect(Math.min(...out.relevance)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...out.relevance)).toBeLessThanOrEqual(1);
    const trace = out.extras!.trace as RdeTraceRecord[];
    expect(trace).toHaveLength(30);
    expect(trace.every((r) => finite([r.distortion, r.rate, r.objective, r.step, r.tries]))).toBe(true);
    // F falls from its value at s0 = 0.25 (rate 0.25).
    expect(trace[29].objective).toBeLessThan(trace[0].objective);
    expect(trace[29].rate).toBeLessThan(0.25);
    x.dispose();
  });

  it('has no NaN or Infinity at the extremes: λ ∈ {0, 100}, every mode, rank 1 and 64, s0 ∈ {0, 1}', async () => {
    const x = digit(17);
    const bad: string[] = [];
    for (const lambda of [0, 100]) {
      for (const [mode, rank] of [['diag', 0], ['lowrank', 1], ['lowrank-diag', 64], ['mc', 64]] as const) {
        for (const s0 of [0, 1]) {
          const out = await runRde(net, x, 3, rdeParams.parse({ lambda, mode, rank, s0, iterations: 3, samples: 16 }), { reference, seed: 1 });
          const trace = out.extras!.trace as RdeTraceRecord[];
          const ok = finite(out.relevance) && trace.every((r) => finite([r.distortion, r.rate, r.objective]))
            && Math.min(...out.relevance) >= 0 && Math.max(...out.relevance) <= 1;
          if (!ok) bad.push(`λ ${lambda} ${mode} rank ${rank} s0 ${s0}`);
        }
      }
    }
    expect(bad).toEqual([]);
    x.dispose();
  });

  it('has no NaN or Infinity for any bundled digit at random λ ∈ [0, 100], rank 0..64, s0 ∈ [0, 1]', async () => {
    const dir = join(PROJECT_ROOT, 'public', 'digits');
    const files = readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
    expect(files).toHaveLength(20);
    const rand = mulberry32(11);
    const modes = ['diag', 'lowrank', 'lowrank-diag', 'mc'] as const;
    const bad: string[] = [];
    const before = tf.memory().numTensors;
    for (const [k, file] of files.entries()) {
      const x = inputTensor(imageInput(join(dir, file), meta));
      const mode = modes[k % 4];
      // Ranks spread over 0..64 (≥ 1 for the low-rank modes); 2 iterations keep rank 64 cheap.
      const rank = mode === 'diag' ? 0 : Math.max(mode === 'mc' ? 0 : 1, Math.round(rand() * 64));
      const p = rdeParams.parse({ lambda: rand() * 100, s0: rand(), mode, rank, iterations: 2, samples: 8 });
      const out = await runRde(net, x, Number(file[6]), p, { reference, seed: k });
      const trace = out.extras!.trace as RdeTraceRecord[];
      if (!finite(out.relevance) || Math.min(...out.relevance) < 0 || Math.max(...out.relevance) > 1
        || !trace.every((r) => finite([r.distortion, r.rate, r.objective, r.step]))) {
        bad.push(`${file} λ ${p.lambda} ${mode} rank ${rank} s0 ${p.s0}`);
      }
      x.dispose();
    }
    expect(bad).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a Monte-Carlo refinement after diagonal ADF lowers F by Monte Carlo at the same λ (digit 6-0), and frees every tensor', async () => {
    const x = inputTensor(imageInput(join(PROJECT_ROOT, 'public', 'digits', 'digit-6-0.png'), meta));
    const before = tf.memory().numTensors;
    const plain = await runRde(net, x, 6, rdeParams.parse({}), { reference, seed: 1 });
    const refined = await runRde(net, x, 6, rdeParams.parse({ refine: 30 }), { reference, seed: 1 });
    const e = refined.extras as { adfIterations: number; iterations: number; adfDistortion: number; distortion: number; phiX: number; rate: number };
    // The ADF stage is the plain run, bit for bit; the refinement continues the trace.
    expect(e.adfIterations).toBe((plain.extras as { iterations: number }).iterations);
    expect(e.adfDistortion).toBe((plain.extras as { distortion: number }).distortion);
    expect(e.iterations).toBeGreaterThan(e.adfIterations);
    expect(e.iterations).toBeLessThanOrEqual(e.adfIterations + 30);
    // Both masks judged on the same verification draws (paired), F = D + λΦ(x)²·rate (the reference rate term).
    const F = async (mask: Float32Array) => {
      const s = tf.tensor4d(mask, x.shape);
      const check = await verifyDistortion(net, x, 6, s, reference, { rank: 0, seed: 1 });
      s.dispose();
      let rate = 0;
      for (const v of mask) rate += v;
      return { F: check.distortion + 0.5 * e.phiX ** 2 * (rate / mask.length), se: check.standardError, D: check.distortion };
    };
    // The mask returned is the refinement iterate (or the ADF mask) with the lowest F on the
    // validation draws; the reported D, rate and F are that iterate's trace record.
    const v = (refined.extras as { validation: { adf: number; kept: number; iteration: number; samples: number } }).validation;
    expect(v.samples).toBe(64);
    expect(v.kept).toBeLessThanOrEqual(v.adf);
    const keptRecord = (refined.extras!.trace as RdeTraceRecord[]).find((r) => r.iteration === v.iteration)!;
    expect(e.distortion).toBe(keptRecord.distortion);
    expect(e.rate).toBe(keptRecord.rate);
    let rateOfMask = 0;
    for (const m of refined.relevance) rateOfMask += m;
    expect(rateOfMask / refined.relevance.length).toBeCloseTo(keptRecord.rate, 5);
    const [a, b] = [await F(plain.relevance), await F(refined.relevance)];
    // Measured: 49.5 → 49.0 with s.e. of D 0.25 and 0.15; the ADF D (6.25) is half the Monte-Carlo one (12.7).
    expect(b.F).toBeLessThan(a.F);
    expect(e.adfDistortion).toBeLessThan(a.D - 3 * a.se);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  }, 120_000);

  it('continues from a warm start: the next run starts at the previous objective', async () => {
    const x = digit(40);
    const p = rdeParams.parse({ iterations: 15 });
    const first = await runRde(net, x, heldOut.labels[40], p, { reference });
    const second = await runRde(net, x, heldOut.labels[40], p, { reference, warmStart: first.relevance });
    const a = first.extras!.trace as RdeTraceRecord[];
    const b = second.extras!.trace as RdeTraceRecord[];
    expect(b[b.length - 1].objective).toBeLessThanOrEqual(a[a.length - 1].objective * (1 + 1e-5));
    // A cold start begins near F(0.25·1); the warm one begins near where the first ended.
    expect(Math.abs(b[0].objective - a[a.length - 1].objective)).toBeLessThan(Math.abs(a[0].objective - a[a.length - 1].objective));
    x.dispose();
  });

  it('stops at once when cancelled', async () => {
    const x = digit(2);
    const controller = new AbortController();
    let seen = 0;
    await expect(runRde(net, x, 0, rdeParams.parse({ iterations: 500 }), {
      reference, signal: controller.signal,
      onIteration: () => { if (++seen === 2) controller.abort(); },
    })).rejects.toThrow('The run was cancelled.');
    expect(seen).toBe(2);
    x.dispose();
  });

  it('says what is wrong with a negative λ, a rank above V, or a missing V', async () => {
    const rde = getMethod('rde');
    expect(() => parseMethodParams(rde, { lambda: '-1' })).toThrow('Rate-Distortion Explanation: parameter lambda');
    const x = digit(0);
    await expect(runRde(net, x, 0, rdeParams.parse({ rank: 65, mode: 'lowrank' }), { reference }))
      .rejects.toThrow('Rank 65 is above the 64 the reference distribution holds.');
    await expect(runRde(net, x, 0, rdeParams.parse({}), {}))
      .rejects.toThrow("RDE needs the model's reference distribution V, and none is loaded.");
    await expect(runRde(net, x, 0, rdeParams.parse({ mode: 'lowrank', rank: 0 }), { reference }))
      .rejects.toThrow('ADF mode lowrank needs a covariance rank of at least 1');
    x.dispose();
  });
});
