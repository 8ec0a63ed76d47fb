// The evaluate view's part of the shared store: the curve settings (edited values over the
// schema's defaults, core/evaluate/curve.ts), the evaluation run (the executor's run record: status,
// progress, cancel) and per method its map's origin, its curve as it fills in, or why it failed.
// Plain data only.
import type { ParamValue } from '../core/methods/params';
import type { RelevanceCurve } from '../core/evaluate/types';
import { randomMapMethod } from '../core/evaluate/randomMap';
import type { Run } from './runExecutor';

export type EvaluateMethodStatus = 'waiting' | 'running' | 'done' | 'error' | 'cancelled';

export interface EvaluateMethodResult {
  status: EvaluateMethodStatus;
  /** The grid's map was used, or the evaluation computed one. */
  map: 'grid' | 'computed';
  /** The points measured so far; whole once status is 'done'. */
  curve: RelevanceCurve | null;
  /** Time of this method's curve (ms), once done. */
  milliseconds: number | null;
  error: string | null;
}

/** One map of the cascading-randomisation strip: the original (no layer randomised) or a step. */
export interface SanityMap {
  randomised: string[];
  relevance: Float32Array;
  spearman: number;
  spearmanAbs: number;
  ssim: number;
  constant: boolean;
}

export interface SanityState {
  /** The method checked (a method of the evaluation). */
  methodId: string;
  run: Run | null;
  /** The weight layers, top-down, once known; the maps in order (the original first). */
  total: number;
  maps: SanityMap[];
  verdict: { passes: boolean; reason: string } | null;
}

export interface EvaluateState {
  open: boolean;
  /** Edited settings (valid values only); a missing one takes the schema's default. */
  settings: Record<string, ParamValue>;
  /** The evaluation run, as the executor keeps every run (null before the first). */
  run: Run | null;
  /** The methods of the last evaluation, in the grid's order, the random baseline last. */
  methods: string[];
  results: Record<string, EvaluateMethodResult>;
  /** Full settings of the last finished evaluation, the class it explained and its score of x. */
  used: { settings: Record<string, unknown>; target: number; passesPerCurve: number; scoreOfX: number } | null;
  sanity: SanityState;
}

export const initialEvaluateState: EvaluateState = {
  open: false,
  settings: {},
  run: null,
  methods: [],
  results: {},
  used: null,
  sanity: { methodId: 'gradient', run: null, total: 0, maps: [], verdict: null },
};

/** The baseline every evaluation includes. */
export const BASELINE_METHOD = randomMapMethod.id;

/** The methods an evaluation ranks: the grid's selected ones the model can run, then the random baseline. */
export function evaluationMethodIds(selected: readonly string[], methods: ReadonlyArray<{ id: string; available: boolean }>): string[] {
  const available = new Set(methods.filter((m) => m.available).map((m) => m.id));
  return selected.filter((id) => available.has(id)).concat(BASELINE_METHOD);
}

/** One row of the AUC table. */
export interface AucRow {
  methodId: string;
  status: EvaluateMethodStatus;
  r5: number | null;
  r20: number | null;
  all: number | null;
  /** Standard errors of the three areas over the fillings (null where not measured). */
  stderr: { r5: number | null; r20: number | null; all: number | null };
  error: string | null;
}

/**
 * The AUC table, best first: a lower area under the distortion curve means the map's most
 * relevant components hold the score with fewer kept (METHODS.md §2). Rows are ranked by the area
 * over the whole measured range; methods without a whole curve come last, in their order.
 */
export function aucRows(state: Pick<EvaluateState, 'methods' | 'results'>): AucRow[] {
  const rows = state.methods.map((methodId): AucRow => {
    const r = state.results[methodId];
    const whole = r?.status === 'done' && r.curve ? r.curve.auc : null;
    const se = r?.status === 'done' ? r.curve?.aucStderr : undefined;
    return {
      methodId, status: r?.status ?? 'waiting', r5: whole?.r5 ?? null, r20: whole?.r20 ?? null, all: whole?.all ?? null,
      stderr: { r5: se?.r5 ?? null, r20: se?.r20 ?? null, all: se?.all ?? null }, error: r?.error ?? null,
    };
  });
  const ranked = rows.filter((r) => r.all !== null).sort((a, b) => a.all! - b.all!);
  return ranked.concat(rows.filter((r) => r.all === null));
}
