// The evaluate view as the end-to-end tests read it (window.__studio.snapshot().evaluate).
import type { CurveAuc } from '../../core/evaluate/types';
import { aucRows, type EvaluateState } from '../../store/evaluateSlice';

export interface EvaluateSnapshot {
  open: boolean;
  /** The evaluation run's status ('none' before the first), progress and error. */
  status: string;
  progress: number;
  cancelling: boolean;
  error: string | null;
  milliseconds: number | null;
  /** The methods of the last evaluation, in its order. */
  methods: string[];
  /** The AUC table's order, best first. */
  ranking: string[];
  curves: Record<string, {
    status: string;
    map: string;
    rates: number[];
    distortion: number[];
    stderr: number[];
    auc: CurveAuc | null;
    milliseconds: number | null;
    error: string | null;
  }>;
  /** Full settings of the last finished evaluation. */
  settings: Record<string, unknown> | null;
  passesPerCurve: number | null;
  sanity: {
    methodId: string;
    status: string;
    error: string | null;
    /** Weight layers the check randomises; maps so far (the original first). */
    total: number;
    maps: Array<{ randomised: string[]; spearman: number; spearmanAbs: number; ssim: number; constant: boolean }>;
    verdict: { passes: boolean; reason: string } | null;
  };
}

export function evaluateSnapshot(evaluate: EvaluateState): EvaluateSnapshot {
  const { run } = evaluate;
  return {
    open: evaluate.open,
    status: run?.status ?? 'none',
    progress: run?.progress ?? 0,
    cancelling: run?.cancelling === true,
    error: run?.status === 'error' ? run.error ?? null : null,
    milliseconds: run?.milliseconds ?? null,
    methods: evaluate.methods,
    ranking: aucRows(evaluate).map((r) => r.methodId),
    curves: Object.fromEntries(Object.entries(evaluate.results).map(([id, r]) => [id, {
      status: r.status, map: r.map, rates: r.curve?.rates ?? [], distortion: r.curve?.distortion ?? [], stderr: r.curve?.stderr ?? [],
      auc: r.status === 'done' ? r.curve?.auc ?? null : null, milliseconds: r.milliseconds, error: r.error,
    }])),
    settings: evaluate.used?.settings ?? null,
    passesPerCurve: evaluate.used?.passesPerCurve ?? null,
    sanity: {
      methodId: evaluate.sanity.methodId,
      status: evaluate.sanity.run?.status ?? 'none',
      error: evaluate.sanity.run?.status === 'error' ? evaluate.sanity.run.error ?? null : null,
      total: evaluate.sanity.total,
      maps: evaluate.sanity.maps.map(({ randomised, spearman, spearmanAbs, ssim, constant }) => ({ randomised, spearman, spearmanAbs, ssim, constant })),
      verdict: evaluate.sanity.verdict,
    },
  };
}
