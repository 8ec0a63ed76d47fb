// The comparison view's part of the shared store: which methods are laid side by side, their
// parameters, their runs (a record of its own, so they never replace the main panels' runs) and
// how the maps are scaled and signed. Plain data only.
import type { Run } from './runExecutor';

/** How each map's colour range is set (DESIGN.md, data conventions). */
export type CompareNormalisation = 'per-map' | 'shared' | 'percentile';
/** Which part of each map is drawn. */
export type CompareSign = 'all' | 'positive' | 'negative' | 'absolute';

/** A map of the grid: the same run type as every other run (store/runExecutor.ts). */
export type CompareRun = Run;

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
