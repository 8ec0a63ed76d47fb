import * as tf from '@tensorflow/tfjs';
import { AbortedError } from '../methods/types';

/** One iteration's record (METHODS.md 1.3), streamed to the caller. */
export interface IterationRecord {
  iteration: number;
  /** Objective F(s) after the step. */
  objective: number;
  /** Extra named values the objective reports (e.g. distortion, rate) at the accepted s. */
  parts: Record<string, number>;
  /** The step size η taken (after a failed line search: the smallest one tried). */
  step: number;
  /** Line-search tries this iteration. */
  tries: number;
  /** Whether the Armijo condition held; if not, the smallest step was taken anyway. */
  accepted: boolean;
}

/** F(s) as a scalar plus named parts, all computed from the same forward pass. */
export type Objective = (s: tf.Tensor) => { value: tf.Scalar; parts: Record<string, tf.Scalar> };

export interface ProjectedGradientOptions {
  maxIterations: number;
  /** Initial step η_init (1.0 for MNIST, 10.0 for STL-10 in the reference code). */
  initialStep?: number;
  momentum?: number;
  /** Armijo constant c in F(s) − F(s_new) ≥ (c/η)‖s_new − s‖². */
  armijo?: number;
  shrink?: number;
  maxTries?: number;
  /** Stop when the relative changes of F and s fall below this and the line search failed. */
  tolerance?: number;
  onIteration?: (record: IterationRecord, s: tf.Tensor) => void;
  signal?: AbortSignal;
}

function evaluate(objective: Objective, s: tf.Tensor): { value: number; parts: Record<string, number> } {
  return tf.tidy(() => {
    const { value, parts } = objective(s);
    return {
      value: value.dataSync()[0],
      parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v.dataSync()[0]])),
    };
  });
}

/**
 * Projected gradient descent on [0,1]^d with momentum and Armijo backtracking, exactly as the
 * RDE reference code (METHODS.md 1.3):
 *   m ← 0.85 m + 0.15 ∇F(s);  η ← η_init;  up to 30 tries of s_new = clip(s − η m, 0, 1),
 *   accepted if F(s) − F(s_new) ≥ (0.65/η)‖s_new − s‖², else η ← 0.7 η;
 *   η_init ← η_init / 0.7 after a first-try acceptance, 0.7 η_init after ≥ 5 tries.
 * Returns the final s (caller owns it) and the per-iteration trace.
 */
export function projectedGradientDescent(objective: Objective, s0: tf.Tensor, opts: ProjectedGradientOptions): { s: tf.Tensor; trace: IterationRecord[] } {
  const momentum = opts.momentum ?? 0.85;
  const c = opts.armijo ?? 0.65;
  const shrink = opts.shrink ?? 0.7;
  const maxTries = opts.maxTries ?? 30;
  const tolerance = opts.tolerance ?? 1e-18;
  let stepInit = opts.initialStep ?? 1;
  const valueAndGrad = tf.valueAndGrad((s: tf.Tensor) => objective(s).value);
  let s = tf.clipByValue(s0, 0, 1);
  let m = tf.zerosLike(s);
  let current = evaluate(objective, s);
  const trace: IterationRecord[] = [];
  for (let iteration = 1; iteration <= opts.maxIterations; iteration++) {
    if (opts.signal?.aborted) {
      tf.dispose([s, m]);
      throw new AbortedError();
    }
    const { grad, value } = valueAndGrad(s);
    value.dispose();
    const mNext = tf.tidy(() => tf.add(tf.mul(momentum, m), tf.mul(1 - momentum, grad)));
    grad.dispose();
    m.dispose();
    m = mNext;
    let step = stepInit;
    let tries = 0;
    let taken: { s: tf.Tensor; value: number; parts: Record<string, number>; moved: number } | null = null;
    let accepted = false;
    while (tries < maxTries) {
      tries++;
      const candidate = tf.tidy(() => tf.clipByValue(tf.sub(s, tf.mul(step, m)), 0, 1));
      const moved = tf.tidy(() => tf.sum(tf.square(tf.sub(candidate, s))).dataSync()[0]);
      const next = evaluate(objective, candidate);
      accepted = Number.isFinite(next.value) && current.value - next.value >= (c / step) * moved;
      // As the reference code: after the last try the smallest step is taken even if it failed,
      // so momentum can turn; the run stops only once such steps no longer move anything.
      if (accepted || (tries === maxTries && Number.isFinite(next.value))) {
        taken = { s: candidate, ...next, moved };
        break;
      }
      candidate.dispose();
      if (tries < maxTries) step *= shrink;
    }
    if (accepted && tries === 1) stepInit /= shrink;
    else if (tries >= 5) stepInit *= shrink;
    const previousValue = current.value;
    let relativeMove = 0;
    if (taken) {
      const norm = tf.tidy(() => tf.sum(tf.square(s)).dataSync()[0]);
      relativeMove = Math.sqrt(taken.moved / Math.max(norm, 1e-30));
      s.dispose();
      s = taken.s;
      current = { value: taken.value, parts: taken.parts };
    }
    const record: IterationRecord = { iteration, objective: current.value, parts: current.parts, step, tries, accepted };
    trace.push(record);
    opts.onIteration?.(record, s);
    const relativeChange = Math.abs(previousValue - current.value) / Math.max(Math.abs(previousValue), 1e-30);
    if (!accepted && relativeChange < tolerance && relativeMove < tolerance) break;
  }
  m.dispose();
  return { s, trace };
}
