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
    if (p.refine > 0 && p.mode !== 'mc') {
      // Monte-Carlo refinement: the same optimiser on D by `samples` fixed draws, from the ADF mask.
      refineDist = makeDistortion(net, x, target, phiX, reference, { mode: 'mc', rank: p.rank, samples: p.samples, seed: ctx.seed ?? 0 });
      const refined = await projectedGradientDescent(objectiveOf(refineDist), run.s, {
        maxIterations: p.refine, initialStep: p.step, lineSearchBatch: p.lineSearch, plateau: p.plateau, signal: ctx.signal,
        onIteration: (r, s) => {
          passes.forward += (1 + r.evaluated) * p.samples;
          passes.backward += p.samples;
          return onRecord({
            iteration: adfIterations + r.iteration, distortion: r.parts.distortion, rate: r.parts.rate,
            objective: r.objective, step: r.step, tries: r.tries,
          }, s);
        },
      }).catch((err) => {
        run.s.dispose();
        throw err;
      });
      run.s.dispose();
      final = refined.s;
    }
    const { relevance } = await readRelevance(final);
    const last = trace[trace.length - 1];
    return {
      relevance, shape: x.shape.slice(), passes,
      extras: {
        trace, phiX, distortion: last?.distortion, rate: last?.rate, objective: last?.objective, iterations: trace.length,
        ...(trace.length > adfIterations ? { adfIterations, adfDistortion: adf?.distortion, adfObjective: adf?.objective } : {}),
      },
    };
  } finally {
    s0.dispose();
    dist.dispose();
    refineDist?.dispose();
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
      forward: p.iterations * (1 + p.lineSearch) * perMask + refine * (1 + p.lineSearch) * p.samples,
      backward: p.iterations * perMask + refine * p.samples, mayStopEarly: p.plateau > 0,
    };
  },
  explain: (net, x, target, p, ctx) => runRde(net, x, target, p, ctx),
};
