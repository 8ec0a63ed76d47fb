import * as tf from '@tensorflow/tfjs';
import { AbortedError } from '../methods/types';
import { yieldToEventLoop } from '../util/yieldToEventLoop';

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
  /** Masks F was evaluated at in the line search (batched passes may try more than `tries`). */
  evaluated: number;
  /** Whether the Armijo condition held; if not, the smallest step was taken anyway. */
  accepted: boolean;
}

/**
 * F for a batch of masks s [k, ...] (the optimiser's s has a leading axis of 1): a value per
 * mask and named parts per mask, all from the same forward pass.
 */
export type Objective = (s: tf.Tensor) => { values: tf.Tensor1D; parts: Record<string, tf.Tensor1D> };

export interface ProjectedGradientOptions {
  maxIterations: number;
  /** Initial step η_init (1.0 for MNIST, 10.0 for STL-10 in the reference code). */
  initialStep?: number;
  momentum?: number;
  /** Armijo constant c in F(s) − F(s_new) ≥ (c/η)‖s_new − s‖². */
  armijo?: number;
  shrink?: number;
  maxTries?: number;
  /**
   * Line-search steps evaluated together in one batched pass of F. The accepted step is the
   * same as trying them one by one; a batch costs little more than one evaluation, so this
   * trades a few wasted evaluations for far fewer passes.
   */
  lineSearchBatch?: number;
  /** Stop when the relative changes of F and s fall below this and the line search failed. */
  tolerance?: number;
  /**
   * Also stop once F has fallen by less than this fraction of |F| over the last 10 iterations
   * (0 or absent: never; the reference code runs its full budget).
   */
  plateau?: number;
  /** Awaited before the next iteration, so it may read s back asynchronously. */
  onIteration?: (record: IterationRecord, s: tf.Tensor) => void | Promise<void>;
  signal?: AbortSignal;
}

interface Evaluated { value: number; parts: Record<string, number> }

/**
 * F and its parts at the masks of a batch, read back in one asynchronous transfer (a synchronous
 * read on WebGPU stalls the GPU, and on a software adapter loses the device).
 */
async function evaluateBatch(objective: Objective, batch: tf.Tensor, extra?: tf.Tensor1D): Promise<{ points: Evaluated[]; extra: Float32Array }> {
  const names: string[] = [];
  const flat = tf.tidy(() => {
    const { values, parts } = objective(batch);
    names.push(...Object.keys(parts));
    return tf.concat([values, ...names.map((k) => parts[k]), ...(extra ? [extra] : [])]);
  });
  const all = await flat.data() as Float32Array;
  flat.dispose();
  const k = batch.shape[0];
  const points = Array.from({ length: k }, (_, i) => ({
    value: all[i],
    parts: Object.fromEntries(names.map((name, j) => [name, all[(j + 1) * k + i]])),
  }));
  return { points, extra: all.subarray((names.length + 1) * k) };
}

/** Whether F fell by less than `plateau`·|F| over the last 10 iterations. */
export function settled(trace: Array<{ objective: number }>, plateau?: number): boolean {
  const window = 10;
  if (!plateau || trace.length <= window) return false;
  const now = trace[trace.length - 1].objective;
  return trace[trace.length - 1 - window].objective - now < plateau * Math.abs(now);
}

/**
 * Projected gradient descent on [0,1]^d with momentum and Armijo backtracking, exactly as the
 * RDE reference code (METHODS.md 1.3):
 *   m ← 0.85 m + 0.15 ∇F(s);  η ← η_init;  up to 30 tries of s_new = clip(s − η m, 0, 1),
 *   accepted if F(s) − F(s_new) ≥ (0.65/η)‖s_new − s‖², else η ← 0.7 η;
 *   η_init ← η_init / 0.7 after a first-try acceptance, 0.7 η_init after ≥ 5 tries.
 * One departure: a step that leaves s unchanged in float32 ends the line search unaccepted, s
 * stays, and the run stops (converged as far as float32 can tell; it used to spin there for good).
 * Returns the final s (caller owns it) and the per-iteration trace. Yields to the event loop
 * after every iteration, so a cancel (AbortSignal) or newer request gets through at once.
 */
export async function projectedGradientDescent(objective: Objective, s0: tf.Tensor, opts: ProjectedGradientOptions): Promise<{ s: tf.Tensor; trace: IterationRecord[] }> {
  const momentum = opts.momentum ?? 0.85;
  const c = opts.armijo ?? 0.65;
  const shrink = opts.shrink ?? 0.7;
  const maxTries = opts.maxTries ?? 30;
  const tolerance = opts.tolerance ?? 1e-18;
  let stepInit = opts.initialStep ?? 1;
  const batchSize = Math.max(1, Math.min(opts.lineSearchBatch ?? 3, maxTries));
  const gradient = tf.grad((s: tf.Tensor) => tf.sum(objective(s).values));
  if (s0.shape[0] !== 1) throw new Error(`The optimiser takes one mask with a leading axis of 1; got shape [${s0.shape.join(', ')}].`);
  let s = tf.clipByValue(s0, 0, 1);
  let m = tf.zerosLike(s);
  let current = (await evaluateBatch(objective, s)).points[0];
  const trace: IterationRecord[] = [];
  for (let iteration = 1; iteration <= opts.maxIterations; iteration++) {
    if (iteration > 1) await yieldToEventLoop();
    if (opts.signal?.aborted) {
      tf.dispose([s, m]);
      throw new AbortedError();
    }
    const grad = gradient(s);
    const mNext = tf.tidy(() => tf.add(tf.mul(momentum, m), tf.mul(1 - momentum, grad)));
    grad.dispose();
    m.dispose();
    m = mNext;
    let step = stepInit;
    let tries = 0;
    let taken: (Evaluated & { s: tf.Tensor; moved: number }) | null = null;
    let accepted = false;
    let normOfS = 0;
    let evaluated = 0;
    let stalled = false;
    while (tries < maxTries && !taken && !stalled) {
      // η, 0.7η, 0.49η, … multiplied one at a time, so each step equals the sequential one bit for bit.
      const steps = [step];
      while (steps.length < Math.min(batchSize, maxTries - tries)) steps.push(steps[steps.length - 1] * shrink);
      const candidates = tf.tidy(() => tf.clipByValue(tf.sub(s, tf.mul(tf.reshape(tf.tensor1d(steps), [-1, ...s.shape.slice(1).map(() => 1)]), m)), 0, 1));
      // ‖s_new − s‖² per candidate, and ‖s‖² last, read back with F.
      const squares = tf.tidy(() => tf.concat([
        tf.sum(tf.reshape(tf.square(tf.sub(candidates, s)), [steps.length, -1]), 1), tf.reshape(tf.sum(tf.square(s)), [1]),
      ]) as tf.Tensor1D);
      const { points, extra: moved } = await evaluateBatch(objective, candidates, squares);
      evaluated += steps.length;
      squares.dispose();
      normOfS = moved[steps.length];
      for (let j = 0; j < steps.length; j++) {
        tries++;
        step = steps[j];
        const next = points[j];
        // A step that moves nothing (η·m below float32's resolution of s: s_new = s) passes
        // F(s) − F(s_new) ≥ (c/η)·0 vacuously; counted as accepted, it froze the run at a tiny η
        // for good, 4–30 evaluations an iteration (docs/rde-rate-terms.md). It is a failure, and
        // every smaller step moves nothing either: the search is over.
        if (moved[j] === 0) {
          stalled = true;
          break;
        }
        accepted = Number.isFinite(next.value) && current.value - next.value >= (c / step) * moved[j];
        // As the reference code: after the last try the smallest step is taken even if it failed,
        // so momentum can turn; the run stops only once such steps no longer move anything.
        if (accepted || (tries === maxTries && Number.isFinite(next.value))) {
          taken = { s: tf.tidy(() => tf.slice(candidates, [j], [1])), ...next, moved: moved[j] };
          break;
        }
      }
      candidates.dispose();
      if (!taken && !stalled && tries < maxTries) step *= shrink;
    }
    if (accepted && tries === 1) stepInit /= shrink;
    else if (tries >= 5) stepInit *= shrink;
    const previousValue = current.value;
    let relativeMove = 0;
    if (taken) {
      relativeMove = Math.sqrt(taken.moved / Math.max(normOfS, 1e-30));
      s.dispose();
      s = taken.s;
      current = { value: taken.value, parts: taken.parts };
    }
    const record: IterationRecord = { iteration, objective: current.value, parts: current.parts, step, tries, evaluated, accepted };
    trace.push(record);
    await opts.onIteration?.(record, s);
    const relativeChange = Math.abs(previousValue - current.value) / Math.max(Math.abs(previousValue), 1e-30);
    if (!accepted && relativeChange < tolerance && relativeMove < tolerance) break;
    if (settled(trace, opts.plateau)) break;
  }
  m.dispose();
  return { s, trace };
}
