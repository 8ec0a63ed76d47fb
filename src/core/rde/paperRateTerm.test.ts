import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { setupNodeBackend } from '../tf/node';
import { imageInput, inputTensor, openModel } from '../../node/studioSession';
import { PROJECT_ROOT } from '../../node/modelFiles';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import { explainedLogit } from './explainedLogit';
import { makeDistortion } from './rdeObjective';
import { equivalentLambda, rateWeight } from './rateTerm';
import { projectedGradientDescent, type IterationRecord, type Objective } from './projectedGradient';
import { mulberry32 } from '../util/random';

// The paper's rate term λ‖s‖₁ (docs/rde-rate-terms.md). Its "stall" was the optimiser's, and
// any objective showed it: near the optimum a step η·m falls below float32's resolution of s,
// s_new = s, and F(s) − F(s_new) = 0 ≥ (c/η)·0 passed the Armijo test, so the run took that
// null step for good (4–30 evaluations an iteration, step ~1e-7…1e-12). Now a null step ends
// the line search and the run stops where it had converged.

/** Whether an accepted step left s unchanged, per iteration (the bug), from the streamed masks. */
function watchNullSteps() {
  let previous: Float32Array | null = null;
  let nullAccepted = 0;
  return {
    onIteration: async (r: IterationRecord, s: tf.Tensor) => {
      const v = await s.data() as Float32Array;
      if (previous && r.accepted && v.every((x, i) => x === previous![i])) nullAccepted++;
      previous = Float32Array.from(v);
    },
    count: () => nullAccepted,
  };
}

/** ‖s − clip(s − ∇F(s), 0, 1)‖: zero exactly at a first-order (KKT) point of F on the box. */
function projectedGradientNorm(objective: Objective, s: tf.Tensor): number {
  return tf.tidy(() => {
    const g = tf.grad((t: tf.Tensor) => tf.sum(objective(t).values))(s);
    return tf.norm(tf.sub(s, tf.clipByValue(tf.sub(s, g), 0, 1))).dataSync()[0];
  });
}

describe('the paper rate term λ‖s‖₁ with the Armijo optimiser', () => {
  it('on an analytic case (rate term ≫ fit, like λ = 0.5 on 784 pixels): stops at the closed-form optimum, no null step taken', async () => {
    await setupNodeBackend('cpu');
    // F(s) = ½‖s − c‖² + λ‖s‖₁ on [0,1]^784, λ = 0.5: F* ≈ 174, where float32 resolves ~1.5e-5.
    // Minimiser s* = clip(c − λ, 0, 1). Before the fix: all 300 iterations, 230 of them null
    // steps, 2655 evaluations; after: 71 iterations, 981 evaluations, the same s and F.
    const d = 784;
    const lambda = 0.5;
    const rand = mulberry32(7);
    const cValues = Float32Array.from({ length: d }, () => rand() * 2 - 0.5);
    const c = tf.tensor1d(cValues);
    const objective: Objective = (s) => {
      const fit = tf.mul(0.5, tf.sum(tf.square(tf.sub(s, c)), 1)) as tf.Tensor1D;
      const rate = tf.div(tf.sum(s, 1), d) as tf.Tensor1D;
      return { values: tf.add(fit, tf.mul(lambda * d, rate)) as tf.Tensor1D, parts: { fit, rate } };
    };
    let optimum = 0;
    const want = cValues.map((v) => Math.min(1, Math.max(0, v - lambda)));
    for (let i = 0; i < d; i++) optimum += 0.5 * (want[i] - cValues[i]) ** 2 + lambda * want[i];
    const watch = watchNullSteps();
    const s0 = tf.fill([1, d], 0.25);
    const { s, trace } = await projectedGradientDescent(objective, s0, { maxIterations: 300, onIteration: watch.onIteration });
    expect(watch.count()).toBe(0);
    // It stops on its own (measured: 71 iterations), its last line search failed.
    expect(trace.length).toBeLessThan(150);
    expect(trace[trace.length - 1].accepted).toBe(false);
    // F within 1e-5 relative of F* (measured 1.2e-6: float32's resolution near 174 is 8e-8
    // relative, and F − F* ≈ ½‖s − s*‖² leaves s within ~5e-3 of s*).
    expect((trace[trace.length - 1].objective - optimum) / optimum).toBeLessThan(1e-5);
    const got = s.dataSync();
    let worst = 0;
    for (let i = 0; i < d; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-2);
    // Accepted steps never raise F.
    for (let k = 1; k < trace.length; k++) if (trace[k].accepted) expect(trace[k].objective).toBeLessThanOrEqual(trace[k - 1].objective);
    tf.dispose([s, s0, c]);
  });

  describe('on digit 6-0 with the MNIST model (diagonal ADF, λ = 0.5, as the CLI with --regulariser paper)', () => {
    let net: Net;
    let reference: ReferenceDistribution;
    let x: tf.Tensor4D;
    let phiX: number;
    beforeAll(async () => {
      await setupNodeBackend('wasm');
      const opened = await openModel('mnist');
      net = opened.net;
      reference = opened.reference!;
      x = inputTensor(imageInput(join(PROJECT_ROOT, 'public/digits/digit-6-0.png'), opened.meta));
      phiX = await explainedLogit(net, x, 6);
    });

    function objectiveFor(weight: number, dist: ReturnType<typeof makeDistortion>): Objective {
      return (s) => {
        const D = dist.distortion(s as tf.Tensor4D);
        const rate = tf.div(tf.sum(s, [1, 2, 3]), x.size) as tf.Tensor1D;
        return { values: tf.add(D, tf.mul(weight * x.size, rate)) as tf.Tensor1D, parts: { distortion: D, rate } };
      };
    }

    it('decreases F to a first-order point and stops there instead of spinning', async () => {
      const dist = makeDistortion(net, x, 6, phiX, reference, { mode: 'diag', rank: 0, samples: 1, seed: 0 });
      const objective = objectiveFor(rateWeight('paper', 0.5, phiX, x.size), dist);
      const s0 = tf.fill(x.shape, 0.25);
      const startGap = projectedGradientNorm(objective, s0);
      const watch = watchNullSteps();
      const { s, trace } = await projectedGradientDescent(objective, s0, { maxIterations: 120, onIteration: watch.onIteration });
      expect(watch.count()).toBe(0);
      // Before the fix: all 120 iterations, F constant from iteration 58 (1281 evaluations);
      // after: the run stops by itself (measured at 59, 639 evaluations) with the same mask.
      expect(trace.length).toBeLessThan(90);
      expect(trace[trace.length - 1].accepted).toBe(false);
      for (let k = 1; k < trace.length; k++) if (trace[k].accepted) expect(trace[k].objective).toBeLessThanOrEqual(trace[k - 1].objective);
      // F falls from 154.3 (after the first step) to 67.83 (measured); D 13.92, rate 0.1375.
      const first = trace[0].objective;
      const last = trace[trace.length - 1];
      expect(last.objective).toBeLessThan(0.5 * first);
      // A first-order point, not a poor one: the projected gradient ‖s − clip(s − ∇F)‖ fell from
      // 11.04 at s₀ to 0.019 (both measured); 0.1 leaves room for backend rounding.
      // (Adam, fixed-step projected gradient and four other starts reach F within 1e-4 relative.)
      const endGap = projectedGradientNorm(objective, s);
      expect(startGap).toBeGreaterThan(5);
      expect(endGap).toBeLessThan(0.1);
      tf.dispose([s, s0]);
      dist.dispose();
    });

    it('the paper term at λ = 0.5·Φ(x)²/d is the reference default: the same weight, so the same F', () => {
      const lambda = equivalentLambda('reference', 'paper', 0.5, phiX, x.size);
      // Φ(x) = 21.207 on this digit: λ = 0.5·21.207²/784 = 0.2868.
      expect(lambda).toBeCloseTo(0.2868, 4);
      expect(rateWeight('paper', lambda, phiX, x.size)).toBeCloseTo(rateWeight('reference', 0.5, phiX, x.size), 12);
      expect(equivalentLambda('paper', 'reference', lambda, phiX, x.size)).toBeCloseTo(0.5, 12);
      expect(equivalentLambda('mean', 'paper', 0.5, phiX, x.size)).toBeCloseTo(0.5 / 784, 12);
      expect(() => equivalentLambda('paper', 'reference', 0.5, 0, x.size)).toThrow('The reference rate term has no weight at Φ(x) = 0, d = 784: no λ matches.');
    });
  });
});
