// The attack panel's part of the shared store (issue 15; core/attacks): the method attacked, the
// attack's edited settings over the schema's defaults (core/attacks/params.ts), ε as a multiple of
// 1/255 of the input range, the target box, the run (the executor's record: status, progress,
// cancel) and what it streamed: the map at x, the random baseline, the trace, the latest iterate
// and the best one. Plain data only.
import type { ParamValue } from '../core/methods/params';
import type { AttackIteration, PerturbedOutcome, PixelBox } from '../worker/protocol';
import type { AttackKind } from '../core/attacks/params';
import type { Run } from './runExecutor';

export interface AttackStart {
  label: number;
  mapBefore: Float32Array;
  probabilitiesBefore: Float32Array;
  k: number;
  searchKind: AttackKind;
}

export interface AttackState {
  open: boolean;
  methodId: string;
  /** Edited attack settings (valid values only) other than ε; a missing one takes the schema's default. */
  settings: Record<string, ParamValue>;
  /** ε in units of 1/255 of the input range (8: 8/255, the schema's default on a [0, 1] range). */
  epsilon255: number;
  /** The targeted attack's box, half-open, in pixels of the model's input. */
  targetRegion: PixelBox;
  run: Run | null;
  start: AttackStart | null;
  baseline: PerturbedOutcome | null;
  trace: AttackIteration[];
  /** The latest iterate drawn (sent at most every 250 ms while running). */
  current: { iteration: number; attacked: Float32Array; map: Float32Array } | null;
  /** The strongest iterate, once the run has finished. */
  best: (PerturbedOutcome & { iteration: number }) | null;
  /** The full settings of the finished run (defaults filled in) and its step. */
  used: { params: Record<string, unknown>; step: number } | null;
  /** Measured ms per iteration of the last attack per method, search and backend (key: attackTimingKey), for the estimate. */
  perIteration: Record<string, number>;
}

export function attackTimingKey(methodId: string, searchKind: string, backend: string | undefined): string {
  return `${methodId}|${searchKind}|${backend ?? '?'}`;
}

/**
 * Ms per iteration before any attack of this kind ran here, from the time of one map: the gradient
 * attack differentiates the softplus map again (measured about 6× a map on WASM, docs/benchmarks.md),
 * the black-box search adds a classification and the messages to each map (about 1.5×).
 */
export function guessPerIteration(mapMilliseconds: number, searchKind: string): number {
  return mapMilliseconds * (searchKind === 'gradient' ? 6 : 1.5);
}

export const initialAttackState: AttackState = {
  open: false,
  methodId: 'gradient',
  settings: { iterations: 30 },
  epsilon255: 8,
  targetRegion: { x0: 2, y0: 2, x1: 12, y1: 12 },
  run: null,
  start: null,
  baseline: null,
  trace: [],
  current: null,
  best: null,
  used: null,
  perIteration: {},
};

/** The largest ε the panel takes: the whole range (an ε-ball wider than the range is no small change). */
export const MAX_EPSILON_255 = 255;

/** ε in the model's input units for `epsilon255`/255 of the range [lo, hi]; the reason when the number is out of bounds. */
export function epsilonInUnits(epsilon255: number, [lo, hi]: [number, number]): { epsilon: number } | { problem: string } {
  if (!Number.isFinite(epsilon255) || epsilon255 <= 0) return { problem: `ε must be greater than 0 (got ${epsilon255}).` };
  if (epsilon255 > MAX_EPSILON_255) return { problem: `ε is at most ${MAX_EPSILON_255}/255, the whole input range (got ${epsilon255}/255).` };
  if (!(hi > lo)) return { problem: `The input range [${lo}, ${hi}] is empty; nothing can be perturbed.` };
  return { epsilon: (epsilon255 / 255) * (hi - lo) };
}

/** The range rule lives with the attack's parameters (core/attacks/params.ts). */
export { attackRange } from '../core/attacks/params';

/** The target box's problem on a height × width input, or null (the core clips a box that sticks out; an empty one is refused). */
export function targetRegionProblem(box: PixelBox, height: number, width: number): string | null {
  for (const [name, v] of Object.entries(box)) {
    if (!Number.isInteger(v)) return `The target box's ${name} must be a whole number of pixels (got ${v}).`;
  }
  const x0 = Math.max(0, box.x0);
  const y0 = Math.max(0, box.y0);
  const x1 = Math.min(width, box.x1);
  const y1 = Math.min(height, box.y1);
  if (x1 <= x0 || y1 <= y0) return `The target box holds no pixel of the ${width} × ${height} input: give x from < x to and y from < y inside it.`;
  return null;
}

/** δ = attacked − input per pixel (channels averaged), and its largest magnitude. */
export function perturbation(attacked: Float32Array, input: Float32Array, channels: number): { delta: Float32Array; max: number } {
  const delta = new Float32Array(input.length / channels);
  let max = 0;
  for (let i = 0; i < input.length; i++) delta[Math.floor(i / channels)] += (attacked[i] - input[i]) / channels;
  for (const v of delta) max = Math.max(max, Math.abs(v));
  return { delta, max };
}
