// What evaluation produces (METHODS.md §2): plain data, the same in the worker, the CLI and the
// headless runner (settings live beside their functions as zod schemas: curve.ts, flip.ts).

export const CURVE_PROTOCOLS = ['paper', 'studio'] as const;
export type CurveProtocol = (typeof CURVE_PROTOCOLS)[number];

/** Area under the curve over rates [0, r] (trapezoid, in distortion × rate); null when the curve stops before r. */
export interface CurveAuc {
  r5: number | null;
  r20: number | null;
  all: number;
}

/** One relevance-ordering curve: per k kept components, the mean distortion over N fillings and its standard error. */
export interface RelevanceCurve {
  /** k / d. */
  rates: number[];
  /** k, the components kept from x. */
  kept: number[];
  distortion: number[];
  stderr: number[];
  auc: CurveAuc;
  /** Standard errors of the areas over the N fillings (absent on partial curves and on very large ones). */
  aucStderr?: CurveAuc;
}

/** Where pixel flipping sends a removed component: the integration baselines of METHODS.md 3. */
export const FLIP_BASELINES = ['zeros', 'reference-mean', 'blurred'] as const;
export type FlipBaseline = (typeof FLIP_BASELINES)[number];

/** Pixel flipping: the score as components go to the baseline, most relevant first (MoRF) or least (LeRF). */
export interface FlipCurve {
  rates: number[];
  morf: number[];
  lerf: number[];
  aucMorf: number;
  aucLerf: number;
  /** aucLerf − aucMorf: larger is better. */
  abpc: number;
}
