// The attack panel as the end-to-end tests read it (window.__studio.snapshot().attack).
import type { AttackState } from '../../store/attackSlice';

interface OutcomeSnapshot {
  predicted: number;
  labelKept: boolean;
  linf: number;
  topkIntersection: number;
  spearman: number;
  massCentreShift: number;
  ssim: number | null;
  /** The perturbed input, flat NHWC, as the model sees it. */
  attacked: number[];
}

export interface AttackSnapshot {
  open: boolean;
  methodId: string;
  /** The run's status ('none' before the first), progress and error. */
  status: string;
  progress: number;
  error: string | null;
  /** The run's time as the worker measured it (ms), once done. */
  milliseconds: number | null;
  /** The full attack settings of the finished run (ε in input units), or null. */
  params: Record<string, unknown> | null;
  label: number | null;
  k: number | null;
  searchKind: string | null;
  /** Per iteration, as streamed. */
  trace: Array<{ iteration: number; topkIntersection: number; spearman: number; massCentreShift: number; labelKept: boolean; accepted: boolean }>;
  best: (OutcomeSnapshot & { iteration: number }) | null;
  random: OutcomeSnapshot | null;
  /** Whether an iterate has been drawn during the run (the panel shows the attack as it goes). */
  currentIteration: number | null;
}

function outcome(o: NonNullable<AttackState['baseline']>): OutcomeSnapshot {
  return { predicted: o.predicted, labelKept: o.labelKept, linf: o.linf, ...o.metrics, attacked: Array.from(o.attacked) };
}

export function attackSnapshot(a: AttackState): AttackSnapshot {
  return {
    open: a.open,
    methodId: a.methodId,
    status: a.run?.status ?? 'none',
    progress: a.run?.progress ?? 0,
    error: a.run?.error ?? null,
    milliseconds: a.run?.milliseconds ?? null,
    params: a.used?.params ?? null,
    label: a.start?.label ?? null,
    k: a.start?.k ?? null,
    searchKind: a.start?.searchKind ?? null,
    trace: a.trace.map((r) => ({ iteration: r.iteration, topkIntersection: r.topkIntersection, spearman: r.spearman, massCentreShift: r.massCentreShift, labelKept: r.labelKept, accepted: r.accepted })),
    best: a.best ? { ...outcome(a.best), iteration: a.best.iteration } : null,
    random: a.baseline ? outcome(a.baseline) : null,
    currentIteration: a.current?.iteration ?? null,
  };
}
