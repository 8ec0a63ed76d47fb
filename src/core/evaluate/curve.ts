// The relevance-ordering curve (METHODS.md §2): keep the k most relevant components of x,
// fill the rest at random, and measure the distortion of the class score, averaged over N
// fillings, for k = 0, g, 2g, … . Forward passes only, batched: many (k, filling) pairs per call.
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import { checkRank, disposeNoiseModel, noiseModel, sampleNoise } from '../reference/noise';
import { throwIfAborted } from '../methods/types';
import { yieldToEventLoop } from '../util/yieldToEventLoop';
import { areaUpTo, keptCounts, relevanceOrder } from './ordering';
import { CURVE_PROTOCOLS, type CurveProtocol, type RelevanceCurve } from './types';
import { tfSeed } from '../util/tfSeed';

/** The largest N a curve takes: 4096 fillings give a standard error ~1.6 % of the spread. */
export const MAX_CURVE_SAMPLES = 4096;

/**
 * A curve's settings, validated by every surface through this schema. The defaults are the
 * studio's quick reading (N = 128, rates ≤ 30 %); PAPER_CURVE_SETTINGS holds the RDE paper's.
 */
export const curveSettings = z.object({
  protocol: z.enum(CURVE_PROTOCOLS).default('studio').meta({ title: 'Protocol' })
    .describe('paper: uniform noise in [min x, max x], softmax probability, (p(y) − p(x))²; studio: noise from V, the logit, ½(Φ(x) − Φ(y))²'),
  samples: z.number().int().min(1).max(MAX_CURVE_SAMPLES).default(128).meta({ title: 'Fillings N' })
    .describe('random fillings averaged at each k'),
  step: z.number().int().min(1).default(5).meta({ title: 'Step g' })
    .describe('components added to the kept set per point'),
  maxRate: z.number().gt(0).max(1).default(0.3).meta({ title: 'Largest rate' })
    .describe('the curve stops at this share of kept components (1: the whole curve)'),
  rank: z.number().int().min(0).default(30).meta({ title: 'Rank of V' })
    .describe('studio protocol: covariance rank of the reference distribution (0: diagonal), capped by what the model ships'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0).meta({ title: 'Seed' })
    .describe('seed of the fillings and of the random tie-break'),
});
export type CurveSettings = z.infer<typeof curveSettings>;

/** The reference code's `pixelflip.py` settings for MNIST: g = 5, N = 512, every rate. */
export const PAPER_CURVE_SETTINGS: CurveSettings = { protocol: 'paper', samples: 512, step: 5, maxRate: 1, rank: 0, seed: 0 };

/** A message saying why settings cannot run on this input, or null. */
export function curveSettingsProblem(settings: CurveSettings, d: number, reference: ReferenceDistribution | undefined, model = 'This model'): string | null {
  if (settings.step > d) return `The step g = ${settings.step} is larger than the input's ${d} components.`;
  if (settings.protocol === 'studio') {
    if (!reference) {
      return `${model} has no reference distribution V, which the studio protocol draws its noise from; use the paper protocol (uniform noise), or add a reference.json beside the model.`;
    }
    if (settings.rank > reference.rank) return `Rank ${settings.rank} is above the ${reference.rank} the reference distribution holds.`;
  }
  return null;
}

/**
 * What a protocol is made of: where the fillings come from, which score is compared, and whether
 * the squared gap is halved; `clip` holds y to [min x, max x]. The protocols are two recipes; the
 * parts are separable so each can be checked on its own (tests, research use).
 */
export interface CurveRecipe {
  noise: 'uniform' | 'reference';
  score: 'probability' | 'logit';
  halve: boolean;
  clip: boolean;
}

export const PROTOCOL_RECIPES: Record<CurveProtocol, CurveRecipe> = {
  paper: { noise: 'uniform', score: 'probability', halve: false, clip: true },
  studio: { noise: 'reference', score: 'logit', halve: true, clip: false },
};

export interface CurveRunOptions {
  signal?: AbortSignal;
  /** Called after every batch with the share of this curve's passes done. */
  onProgress?: (fraction: number) => void;
  /** Called after every batch with the points measured so far (the curve fills in). */
  onPartial?: (curve: RelevanceCurve) => void;
  /** Seed of the tie-break (default: the settings' seed + 1). */
  orderSeed?: number;
}

/**
 * Measures curves for one input: the fillings and the score of x are drawn once, so every map
 * evaluated here sees the same noise (common random numbers: differences between methods are not
 * sampling noise of the fillings). Dispose when done.
 */
export interface CurveEvaluator {
  readonly settings: CurveSettings;
  /** Score of x: p(x) (paper) or Φ(x) (studio). */
  readonly scoreOfX: number;
  /** Single-input forward passes one curve takes. */
  readonly passesPerCurve: number;
  curve(relevance: Float32Array, options?: CurveRunOptions): Promise<RelevanceCurve>;
  dispose(): void;
}

/** Rows (single inputs) per forward call: ~16 MB of input, at most 2048. */
export function curveBatchRows(d: number): number {
  return Math.max(1, Math.min(2048, Math.floor(4_194_304 / d)));
}

function scoreOf(net: Net, logits: tf.Tensor2D, target: number, score: CurveRecipe['score']): tf.Tensor1D {
  return tf.tidy(() => {
    if (score === 'logit') return tf.squeeze(tf.slice(logits, [0, target], [-1, 1]), [1]) as tf.Tensor1D;
    const p = net.head === 'sigmoid' ? tf.sigmoid(logits) : tf.softmax(logits);
    return tf.squeeze(tf.slice(p, [0, target], [-1, 1]), [1]) as tf.Tensor1D;
  });
}

export async function createCurveEvaluator(
  net: Net, x: tf.Tensor4D, target: number, settings: CurveSettings, reference?: ReferenceDistribution,
  recipe: CurveRecipe = PROTOCOL_RECIPES[settings.protocol],
): Promise<CurveEvaluator> {
  const shape = x.shape.slice(1) as [number, number, number];
  const d = shape[0] * shape[1] * shape[2];
  const problem = curveSettingsProblem({ ...settings, protocol: recipe.noise === 'reference' ? 'studio' : 'paper' }, d, reference);
  if (problem) throw new Error(problem);
  const ks = keptCounts(d, settings.step, settings.maxRate);
  const n = settings.samples;
  const flatX = tf.reshape(x, [1, 1, d]);
  const xs = await x.data();
  let lo = Infinity, hi = -Infinity;
  for (const v of xs) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let fillings: tf.Tensor2D;
  if (recipe.noise === 'uniform') {
    fillings = lo === hi ? tf.fill([n, d], lo) as tf.Tensor2D : tf.randomUniform([n, d], lo, hi, 'float32', tfSeed(settings.seed)) as tf.Tensor2D;
  } else {
    checkRank(reference!, settings.rank);
    const noise = noiseModel(reference!, settings.rank);
    fillings = sampleNoise(noise, n, settings.seed);
    disposeNoiseModel(noise);
  }
  const scoreX = tf.tidy(() => scoreOf(net, forwardLogits(net, x), target, recipe.score));
  const scoreOfX = (await scoreX.data())[0];
  scoreX.dispose();
  if (!Number.isFinite(scoreOfX)) throw new Error(`The model's score for this input is ${scoreOfX}; no curve can be measured.`);
  const rows = curveBatchRows(d);
  const fillChunk = Math.min(n, rows);
  const kChunk = Math.max(1, Math.floor(rows / fillChunk));
  let disposed = false;

  async function curve(relevance: Float32Array, options: CurveRunOptions = {}): Promise<RelevanceCurve> {
    if (disposed) throw new Error('This curve evaluator was disposed.');
    if (relevance.length !== d) throw new Error(`The map has ${relevance.length} values; the input has ${d}.`);
    const order = relevanceOrder(relevance, options.orderSeed ?? settings.seed + 1);
    const sum = new Float64Array(ks.length);
    const sumSq = new Float64Array(ks.length);
    const count = new Float64Array(ks.length);
    const total = ks.length * n;
    // Every filling's value at every point, for the areas' standard errors (an area is a linear
    // function of the curve, so its spread over fillings is that of each filling's own area).
    const perFilling = ks.length * n <= PER_FILLING_LIMIT ? new Float32Array(ks.length * n) : null;
    let done = 0;
    let measured = 0;
    for (let k0 = 0; k0 < ks.length; k0 += kChunk) {
      const kc = Math.min(kChunk, ks.length - k0);
      const maskData = new Float32Array(kc * d);
      for (let r = 0; r < kc; r++) {
        for (let j = 0; j < ks[k0 + r]; j++) maskData[r * d + order[j]] = 1;
      }
      const mask = tf.tensor3d(maskData, [kc, 1, d]);
      try {
      for (let f0 = 0; f0 < n; f0 += fillChunk) {
        // A macrotask between batches: on WASM data() resolves as a microtask, so without it a
        // cancel (or the supervisor's ping) waits for the whole curve.
        if (done > 0) await yieldToEventLoop();
        throwIfAborted(options.signal);
        const fc = Math.min(fillChunk, n - f0);
        const dist = tf.tidy(() => {
          const u = tf.reshape(fc === n ? fillings : tf.slice(fillings, [f0, 0], [fc, d]), [1, fc, d]);
          let y = tf.add(tf.mul(mask, flatX), tf.mul(tf.sub(1, mask), u));
          if (recipe.clip) y = tf.clipByValue(y, lo, hi);
          const score = scoreOf(net, forwardLogits(net, tf.reshape(y, [kc * fc, ...shape]) as tf.Tensor4D), target, recipe.score);
          const gap = tf.sub(score, scoreOfX);
          return recipe.halve ? tf.mul(tf.square(gap), 0.5) : tf.square(gap);
        });
        const values = await dist.data().finally(() => dist.dispose());
        for (let r = 0; r < kc; r++) {
          for (let f = 0; f < fc; f++) {
            const v = values[r * fc + f];
            sum[k0 + r] += v;
            sumSq[k0 + r] += v * v;
            if (perFilling) perFilling[(k0 + r) * n + f0 + f] = v;
          }
          count[k0 + r] += fc;
        }
        done += kc * fc;
        options.onProgress?.(done / total);
      }
      } finally {
        mask.dispose();
      }
      measured = k0 + kc;
      if (options.onPartial && measured < ks.length) options.onPartial(summarise(ks.slice(0, measured), d, sum, sumSq, count, null, n));
    }
    const result = summarise(ks, d, sum, sumSq, count, perFilling, n);
    for (const v of result.distortion) {
      if (!Number.isFinite(v)) throw new Error(`The curve came out ${v}: the model's score overflowed on a filling.`);
    }
    options.onPartial?.(result);
    return result;
  }

  return {
    settings, scoreOfX, passesPerCurve: ks.length * n, curve,
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose([fillings, flatX]);
    },
  };
}

/** Above this many (point, filling) values a curve keeps no per-filling values and its areas no standard errors. */
const PER_FILLING_LIMIT = 4_000_000;

function summarise(
  ks: number[], d: number, sum: Float64Array, sumSq: Float64Array, count: Float64Array, perFilling: Float32Array | null, n: number,
): RelevanceCurve {
  const rates = ks.map((k) => k / d);
  const distortion: number[] = [];
  const stderr: number[] = [];
  for (let i = 0; i < ks.length; i++) {
    const c = count[i];
    const mean = sum[i] / c;
    const variance = c > 1 ? Math.max(0, (sumSq[i] - c * mean * mean) / (c - 1)) : 0;
    distortion.push(mean);
    stderr.push(Math.sqrt(variance / c));
  }
  const last = rates[rates.length - 1];
  const auc = { r5: areaUpTo(rates, distortion, 0.05), r20: areaUpTo(rates, distortion, 0.2), all: areaUpTo(rates, distortion, last) ?? 0 };
  const curve: RelevanceCurve = { rates, kept: ks.slice(), distortion, stderr, auc };
  if (perFilling && n > 1) {
    const spread = (r: number) => {
      if (areaUpTo(rates, distortion, r) === null) return null;
      const areas = new Float64Array(n);
      const column = new Array<number>(ks.length);
      for (let f = 0; f < n; f++) {
        for (let i = 0; i < ks.length; i++) column[i] = perFilling[i * n + f];
        areas[f] = areaUpTo(rates, column, r)!;
      }
      const mean = areas.reduce((a, b) => a + b, 0) / n;
      return Math.sqrt(areas.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
    };
    curve.aucStderr = { r5: spread(0.05), r20: spread(0.2), all: spread(last) ?? 0 };
  }
  return curve;
}

/** One curve on its own (the evaluator built and disposed around it). */
export async function relevanceCurve(
  net: Net, x: tf.Tensor4D, target: number, relevance: Float32Array, settings: CurveSettings,
  reference?: ReferenceDistribution, options?: CurveRunOptions,
): Promise<RelevanceCurve> {
  const evaluator = await createCurveEvaluator(net, x, target, settings, reference);
  try {
    return await evaluator.curve(relevance, options);
  } finally {
    evaluator.dispose();
  }
}
