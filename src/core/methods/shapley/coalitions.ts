import { throwIfAborted } from '../types';
import { yieldToEventLoop } from '../../util/yieldToEventLoop';

/**
 * A cooperative game given by its value function v over a batch of coalitions:
 * coalitions[j][i] = 1 when player i is in coalition j. Batched because every value costs a
 * network pass, and a batch is one forward call.
 */
export type CoalitionValues = (coalitions: Uint8Array[]) => Promise<Float64Array>;

export interface EvaluationOptions {
  /** Coalitions per call of v (default 128). */
  batch?: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * v on `count` coalitions made on demand by `make(j)`, `batch` at a time (so 2¹⁶ coalitions are never
 * all in memory), checking for cancellation before each batch and reporting the fraction done after it.
 */
export async function evaluateCoalitions(
  v: CoalitionValues, count: number, make: (j: number) => Uint8Array, options: EvaluationOptions,
): Promise<Float64Array> {
  const batch = options.batch ?? 128;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`The batch size must be a whole number ≥ 1; got ${batch}.`);
  const values = new Float64Array(count);
  for (let start = 0; start < count; start += batch) {
    // A macrotask between batches lets a cancel (or a newer request) reach the worker.
    if (start > 0) await yieldToEventLoop();
    throwIfAborted(options.signal);
    const end = Math.min(count, start + batch);
    const chunk = Array.from({ length: end - start }, (_, k) => make(start + k));
    const out = await v(chunk);
    if (out.length !== chunk.length) throw new Error(`The value function returned ${out.length} values for ${chunk.length} coalitions.`);
    values.set(out, start);
    options.onProgress?.(end / count);
  }
  throwIfAborted(options.signal);
  return values;
}

/** The coalition of the players whose bits are set in `mask` (bit i = player i). */
export function coalitionOfMask(mask: number, n: number): Uint8Array {
  const z = new Uint8Array(n);
  for (let i = 0; i < n; i++) z[i] = (mask >>> i) & 1;
  return z;
}
