// The comparison view's part of the shared store: which methods are laid side by side, their
// parameters, their runs (a record of its own, so they never replace the main panels' runs) and
// how the maps are scaled and signed. Plain data only.
import type { AxiomCheck, PassCount } from '../core/methods/types';

/** How each map's colour range is set (DESIGN.md, data conventions). */
export type CompareNormalisation = 'per-map' | 'shared' | 'percentile';
/** Which part of each map is drawn. */
export type CompareSign = 'all' | 'positive' | 'negative' | 'absolute';

export interface CompareRun {
  runId: number;
  /** 'queued': waiting for its turn in the worker. */
  status: 'queued' | 'running' | 'done' | 'error' | 'cancelled';
  progress: number;
  /**
   * Cancel was pressed and sent; the worker stops at the method's next check, which is only
   * read between steps that yield to the event loop (a method that never yields runs to its end).
   */
  cancelling?: boolean;
  target: number;
  /** The parameters the run was asked with (what was edited; defaults fill the rest). */
  requested: Record<string, unknown>;
  /** The full parameters the worker used, defaults included (once done). */
  params?: Record<string, unknown>;
  relevance?: Float32Array;
  shape?: number[];
  milliseconds?: number;
  backend?: string;
  check?: AxiomCheck;
  passes?: PassCount;
  error?: string;
}

export interface CompareState {
  open: boolean;
  /** Method ids in the grid, in the registry's order. */
  selected: string[];
  /** Edited parameter values per method (valid ones only); a missing one takes its default. */
  params: Record<string, Record<string, unknown>>;
  runs: Record<string, CompareRun>;
  normalisation: CompareNormalisation;
  sign: CompareSign;
}

export const NORMALISATIONS: Record<CompareNormalisation, string> = {
  'per-map': 'Per map (±max |R| of each map)',
  shared: 'Shared within a unit (max |R| of the maps in the same unit)',
  percentile: 'Per map, clipped at the 99th percentile of |R|',
};

export const SIGNS: Record<CompareSign, string> = {
  all: 'All (red +, blue −)',
  positive: 'Positive only',
  negative: 'Negative only',
  absolute: 'Absolute |R|',
};

/** The percentile at which the percentile-clipped normalisation saturates. */
export const CLIP_PERCENTILE = 99;

/** The grid a lecture starts from: one or two methods of each family (METHODS.md 3-5) and RDE. */
export const DEFAULT_COMPARE_METHODS = ['gradient', 'smoothgrad', 'integrated-gradients', 'lrp', 'occlusion', 'rde'];

export const initialCompareState: CompareState = {
  open: false,
  selected: DEFAULT_COMPARE_METHODS,
  params: {},
  runs: {},
  normalisation: 'per-map',
  sign: 'all',
};
