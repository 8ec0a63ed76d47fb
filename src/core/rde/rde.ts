import * as tf from '@tensorflow/tfjs';
import { explainedLogit } from './explainedLogit';
import type { Net } from '../net/ir';
import type { Explanation, ExplainContext, Method } from '../methods/types';
import { throwIfAborted } from '../methods/types';
import { readRelevance } from '../methods/readBack';
import { MASK_UNIT } from '../methods/units';
import { projectedGradientDescent } from './projectedGradient';
import { adamOnBox } from './adamOnBox';
import { makeDistortion, type DistortionFunction } from './rdeObjective';
import { rateWeight, rdeFormula } from './rateTerm';
import { rdeParams, type RdeParams } from './params';

export { rdeParams, type RdeParams } from './params';


export interface RdeTraceRecord {
  iteration: number;
  distortion: number;
  rate: number;
  objective: number;
  step: number;
  tries: number;
}

/**
 * Rate-Distortion Explanation: minimise F(s) = D(s) + rate term over s ∈ [0,1]^d
 * (METHODS.md 1). Returns s with the input's shape and the trace per iteration.
 */
/**
 * The seed of the refinement's validation draws: not the refinement's own (seed, seed + 1, which
 * sampleNoise uses) and below the verification's range (verifySeed: ≥ 1,000,000), so the three
 * sets of draws are distinct for the seeds the studio uses.
 */
export function refineValidationSeed(seed: number): number {
  return seed + 500_003;
}

export async function runRde(net: Net, x: tf.Tensor4D, target: number, p: RdeParams, ctx: ExplainContext): Promise<Explanation> {
  const reference = ctx.reference;
  if (!reference) throw new Error('RDE needs the model\'s reference distribution V, and none is loaded.');
  if (p.rank > reference.rank) throw new Error(`Rank ${p.rank} is above the ${reference.rank} the reference distribution holds.`);
  const d = x.size;
  if (ctx.warmStart && ctx.warmStart.length !== d) throw new Error(`The warm start has ${ctx.warmStart.length} values; the input has ${d}.`);
  throwIfAborted(ctx.signal);
  const phiX = await explainedLogit(net, x, target);
  const dist = makeDistortion(net, x, target, phiX, reference, { mode: p.mode, rank: p.rank, samples: p.samples, seed: ctx.seed ?? 0 });
  const weight = rateWeight(p.regulariser, p.lambda, phiX, d);
  // F per mask of a batch s [k, ...input]: D(s_k) + weight·‖s_k‖₁, rate = ‖s_k‖₁/d (ADF or the refinement's Monte-Carlo D).
  const objectiveOf = (f: DistortionFunction) => (s: tf.Tensor) => {
    const D = f.distortion(s as tf.Tensor4D);
    const rate = tf.div(tf.sum(s, [1, 2, 3]), d) as tf.Tensor1D;
    return { values: tf.add(D, tf.mul(weight * d, rate)) as tf.Tensor1D, parts: { distortion: D, rate } };
  };
  const objective = objectiveOf(dist);
  const s0 = ctx.warmStart ? tf.tensor4d(ctx.warmStart, x.shape) : tf.fill(x.shape, p.s0) as tf.Tensor4D;
  const trace: RdeTraceRecord[] = [];
  // Passes of D: one forward+backward per iteration, plus the line search's forward passes
  // (per mask; with mode mc each is `samples` network passes).
  const passes = { forward: 0, backward: 0 };
  let refineDist: DistortionFunction | null = null;
  let validDist: DistortionFunction | null = null;
  /** The refinement's best mask by validation F so far (owned here until returned). */
  let best: { s: tf.Tensor; f: number; index: number } | null = null;
  const onRecord = async (r: RdeTraceRecord, s: tf.Tensor) => {
    trace.push(r);
    if (ctx.onIteration) {
      // Read now, asynchronously: the getter is called synchronously, and a synchronous read
      // stalls WebGPU (on a software adapter it loses the device).
      const mask = await s.data() as Float32Array;
      ctx.onIteration({ ...r }, () => Float32Array.from(mask));
    }
    ctx.onProgress?.(Math.min(1, r.iteration / (p.iterations + (p.mode === 'mc' ? 0 : p.refine))));
  };
  try {
    const run = await (p.optimizer === 'armijo'
      ? projectedGradientDescent(objective, s0, {
        maxIterations: p.iterations, initialStep: p.step, lineSearchBatch: p.lineSearch, plateau: p.plateau, signal: ctx.signal,
        onIteration: (r, s) => {
          passes.forward += 1 + r.evaluated;
          passes.backward += 1;
          return onRecord({
            iteration: r.iteration, distortion: r.parts.distortion, rate: r.parts.rate,
            objective: r.objective, step: r.step, tries: r.tries,
          }, s);
        },
      })
      : adamOnBox(objective, s0, {
        maxIterations: p.iterations, learningRate: p.step * 1e-3, plateau: p.plateau, signal: ctx.signal,
        onIteration: (r, s) => {
          passes.forward += 1;
          passes.backward += 1;
          return onRecord({ ...r, tries: 1 }, s);
        },
      }));
    const adf = trace[trace.length - 1];
    const adfIterations = trace.length;
    let final = run.s;
    /** The trace index of the mask returned (the last one, unless the refinement's validation picked another). */
    let keptIndex = trace.length - 1;
    let validation: { adf: number; kept: number; iteration: number; samples: number } | undefined;
    if (p.refine > 0 && p.mode !== 'mc') {
      // Monte-Carlo refinement: the same optimiser on D by `samples` fixed draws, from the ADF mask.
      // Those draws are also what the steps overfit to (with 64 draws the noise of D exceeds the
      // low-rank + diagonal ADF's own error, docs/rde-check.md), so every iterate, and the ADF mask
      // itself, is judged on `samples` further draws of another seed, and the mask with the lowest
      // validation F is the one returned: early stopping, never a worse mask than ADF's by that measure.
      refineDist = makeDistortion(net, x, target, phiX, reference, { mode: 'mc', rank: p.rank, samples: p.samples, seed: ctx.seed ?? 0 });
      validDist = makeDistortion(net, x, target, phiX, reference, { mode: 'mc', rank: p.rank, samples: p.samples, seed: refineValidationSeed(ctx.seed ?? 0) });
      const validate = objectiveOf(validDist);
      const validF = async (mask: tf.Tensor) => {
        const v = tf.tidy(() => validate(mask).values);
        try {
          return (await v.data())[0];
        } finally {
          v.dispose();
        }
      };
      best = { s: tf.clone(run.s), f: await validF(run.s), index: keptIndex };
      const adfValidation = best.f;
      const refined = await projectedGradientDescent(objectiveOf(refineDist), run.s, {
        maxIterations: p.refine, initialStep: p.step, lineSearchBatch: p.lineSearch, plateau: p.plateau, signal: ctx.signal,
        onIteration: async (r, s) => {
          passes.forward += (1 + r.evaluated) * p.samples + p.samples;
          passes.backward += p.samples;
          await onRecord({
            iteration: adfIterations + r.iteration, distortion: r.parts.distortion, rate: r.parts.rate,
            objective: r.objective, step: r.step, tries: r.tries,
          }, s);
          const f = await validF(s);
          if (f < best!.f) {
            best!.s.dispose();
            best = { s: tf.clone(s), f, index: trace.length - 1 };
          }
        },
      }).catch((err) => {
        run.s.dispose();
        throw err;
      });
      run.s.dispose();
      refined.s.dispose();
      final = best.s;
      keptIndex = best.index;
      validation = { adf: adfValidation, kept: best.f, iteration: trace[keptIndex].iteration, samples: p.samples };
      best = null;
    }
    // readRelevance frees the mask it reads.
    const { relevance } = await readRelevance(final);
    const kept = trace[keptIndex];
    return {
      relevance, shape: x.shape.slice(), passes,
      extras: {
        trace, phiX, distortion: kept?.distortion, rate: kept?.rate, objective: kept?.objective, iterations: trace.length,
        ...(trace.length > adfIterations || validation ? { adfIterations, adfDistortion: adf?.distortion, adfObjective: adf?.objective } : {}),
        ...(validation ? { validation } : {}),
      },
    };
  } finally {
    s0.dispose();
    dist.dispose();
    refineDist?.dispose();
    validDist?.dispose();
    best?.s.dispose();
  }
}

export const rdeMethod: Method<typeof rdeParams> = {
  id: 'rde',
  label: 'Rate-Distortion Explanation',
  family: 'rde',
  description: 'The smallest mask s that keeps the score when everything outside it is replaced by noise from V.',
  formula: rdeFormula(rdeParams.shape.regulariser.parse(undefined)),
  params: rdeParams,
  unit: MASK_UNIT,
  requires: 'gradient',
  /**
   * At most `iterations` iterations, each a gradient of D and a line search of `lineSearch`
   * masks; one mask's D costs about 2 plain passes in diagonal ADF (mean and variance), r + 1 or
   * r + 2 in the low-rank modes (the factor rides along the batch) and `samples` in Monte Carlo;
   * a Monte-Carlo refinement adds `refine` iterations at `samples` passes a mask.
   */
  estimate(p) {
    const perMask = p.mode === 'mc' ? p.samples : p.mode === 'diag' ? 2 : p.rank + (p.mode === 'lowrank-diag' ? 2 : 1);
    const refine = p.mode === 'mc' ? 0 : p.refine;
    return {
      forward: p.iterations * (1 + p.lineSearch) * perMask + refine * (2 + p.lineSearch) * p.samples + (refine > 0 ? p.samples : 0),
      backward: p.iterations * perMask + refine * p.samples, mayStopEarly: p.plateau > 0,
    };
  },
  explain: (net, x, target, p, ctx) => runRde(net, x, target, p, ctx),
};
