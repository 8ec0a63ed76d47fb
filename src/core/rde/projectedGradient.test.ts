import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { projectedGradientDescent, type Objective } from './projectedGradient';
import { mulberry32 } from '../util/random';

// F(s) = ½‖s − c‖² + λ Σ s on [0,1]^d has the closed-form minimiser s* = clip(c − λ, 0, 1).
// The optimiser's s is [1, d]; the objective takes a batch [k, d] of masks.
const d = 50;
const rand = mulberry32(3);
const cValues = Float32Array.from({ length: d }, () => rand() * 2 - 0.5);
const lambda = 0.3;

function quadratic(): { objective: Objective; c: tf.Tensor1D } {
  const c = tf.tensor1d(cValues);
  const objective: Objective = (s) => {
    const fit = tf.mul(0.5, tf.sum(tf.square(tf.sub(s, c)), 1)) as tf.Tensor1D;
    const rate = tf.div(tf.sum(s, 1), d) as tf.Tensor1D;
    return { values: tf.add(fit, tf.mul(lambda * d, rate)) as tf.Tensor1D, parts: { fit, rate } };
  };
  return { objective, c };
}

describe('projectedGradientDescent (METHODS.md 1.3)', () => {
  beforeAll(async () => setupNodeBackend('cpu'));

  // F is evaluated in float32, whose resolution near F ≈ 7.3 is ~1e-6: Armijo tests on smaller
  // decreases are noise, so the run can pin F only to ~1e-6 relative. Since F − F* ≈ ½‖s − s*‖²
  // near the optimum, that leaves s within ~1e-2 of s* (measured: F within 2e-6, s within 4e-3).
  it('reaches the closed-form box-constrained minimiser (F within 1e-5 relative, s within 1e-2)', async () => {
    const { objective, c } = quadratic();
    const s0 = tf.fill([1, d], 0.25);
    const { s, trace } = await projectedGradientDescent(objective, s0, { maxIterations: 300 });
    const got = s.dataSync();
    const want = cValues.map((v) => Math.min(1, Math.max(0, v - lambda)));
    let worst = 0;
    let optimum = 0;
    for (let i = 0; i < d; i++) {
      worst = Math.max(worst, Math.abs(got[i] - want[i]));
      optimum += 0.5 * (want[i] - cValues[i]) ** 2 + lambda * want[i];
    }
    expect(worst).toBeLessThan(1e-2);
    expect((trace[trace.length - 1].objective - optimum) / optimum).toBeLessThan(1e-5);
    expect(trace.length).toBeGreaterThan(0);
    // An accepted Armijo step never raises F.
    for (let k = 1; k < trace.length; k++) if (trace[k].accepted) expect(trace[k].objective).toBeLessThanOrEqual(trace[k - 1].objective);
    expect(Object.keys(trace[0].parts)).toEqual(['fit', 'rate']);
    tf.dispose([s, s0, c]);
  });

  it('takes the same steps whether the line search tries 1, 4 or 30 steps per pass', async () => {
    const { objective, c } = quadratic();
    const s0 = tf.fill([1, d], 0.25);
    const runs = await Promise.all([1, 4, 30].map((lineSearchBatch) => projectedGradientDescent(objective, s0, { maxIterations: 60, lineSearchBatch })));
    const [one, ...others] = runs;
    for (const other of others) {
      expect(other.trace.map((r) => [r.tries, r.step])).toEqual(one.trace.map((r) => [r.tries, r.step]));
      expect(tf.max(tf.abs(tf.sub(other.s, one.s))).dataSync()[0]).toBe(0);
    }
    // The quadratic from 0.25 needs backtracking in its first iterations, so batches matter.
    expect(Math.max(...one.trace.map((r) => r.tries))).toBeGreaterThan(1);
    tf.dispose([...runs.map((r) => r.s), s0, c]);
  });

  it('stops on a plateau: once F has fallen by less than the given fraction over 10 iterations', async () => {
    const { objective, c } = quadratic();
    const s0 = tf.fill([1, d], 0.25);
    const full = await projectedGradientDescent(objective, s0, { maxIterations: 300 });
    const early = await projectedGradientDescent(objective, s0, { maxIterations: 300, plateau: 1e-3 });
    const n = early.trace.length;
    expect(n).toBeLessThan(full.trace.length);
    expect(n).toBeGreaterThan(10);
    const fall = (k: number) => early.trace[k - 11].objective - early.trace[k - 1].objective;
    expect(fall(n)).toBeLessThan(1e-3 * Math.abs(early.trace[n - 1].objective));
    // It did not stop at the first iteration where it could have.
    for (let k = 11; k < n; k++) expect(fall(k)).toBeGreaterThanOrEqual(1e-3 * Math.abs(early.trace[k - 1].objective));
    // The trace is the same as the full run's up to the stop.
    expect(early.trace.map((r) => r.objective)).toEqual(full.trace.slice(0, n).map((r) => r.objective));
    tf.dispose([full.s, early.s, s0, c]);
  });

  it('keeps s in [0,1] from any start and streams every iteration', async () => {
    const { objective, c } = quadratic();
    const s0 = tf.tensor2d(Float32Array.from({ length: d }, (_, i) => (i % 3) - 0.5), [1, d]);
    const seen: number[] = [];
    const { s, trace } = await projectedGradientDescent(objective, s0, {
      maxIterations: 20,
      onIteration: (r, current) => {
        seen.push(r.iteration);
        const v = current.dataSync();
        expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...v)).toBeLessThanOrEqual(1);
      },
    });
    expect(seen).toEqual(trace.map((r) => r.iteration));
    expect(trace.every((r) => Number.isFinite(r.objective) && r.tries >= 1 && r.tries <= 30)).toBe(true);
    tf.dispose([s, s0, c]);
  });

  it('warm-started from the optimum stays there', async () => {
    const { objective, c } = quadratic();
    const opt = tf.tensor2d(cValues.map((v) => Math.min(1, Math.max(0, v - lambda))), [1, d]);
    const { s, trace } = await projectedGradientDescent(objective, opt, { maxIterations: 5 });
    expect(tf.max(tf.abs(tf.sub(s, opt))).dataSync()[0]).toBeLessThan(1e-5);
    expect(Math.abs(trace[trace.length - 1].objective - trace[0].objective)).toBeLessThan(1e-4);
    tf.dispose([s, opt, c]);
  });

  it('stops on an abort signal with a clear error and frees its tensors', async () => {
    const { objective, c } = quadratic();
    const s0 = tf.fill([1, d], 0.25);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    await expect(projectedGradientDescent(objective, s0, {
      maxIterations: 100,
      signal: controller.signal,
      onIteration: (r) => { if (r.iteration === 3) controller.abort(); },
    })).rejects.toThrow('The run was cancelled.');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([s0, c]);
  });

  it('lets a cancel from outside the loop through while it runs (yields between iterations)', async () => {
    const { objective, c } = quadratic();
    const s0 = tf.fill([1, d], 0.25);
    const controller = new AbortController();
    let iterations = 0;
    setTimeout(() => controller.abort(), 20);
    await expect(projectedGradientDescent(objective, s0, {
      maxIterations: 1_000_000, tolerance: -1, signal: controller.signal, onIteration: () => { iterations++; },
    })).rejects.toThrow('The run was cancelled.');
    // A loop that never yielded would run all 10⁶ iterations before the timer could fire.
    expect(iterations).toBeGreaterThan(0);
    expect(iterations).toBeLessThan(100_000);
    tf.dispose([s0, c]);
  });

  it('returns with no leak: only the result s remains', async () => {
    const { objective, c } = quadratic();
    const s0 = tf.fill([1, d], 0.25);
    const before = tf.memory().numTensors;
    const { s } = await projectedGradientDescent(objective, s0, { maxIterations: 30 });
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([s, s0, c]);
  });
});
