// The RDE panel's part of the shared store: settings (mirrored in the URL), the live run, the
// finished points of the rate-distortion plane and the teaching strip. Plain data only.
export type RdeMode = 'diag' | 'lowrank' | 'lowrank-diag' | 'mc';

export interface RdeSettings {
  lambda: number;
  /** Covariance rank of V; 0 = diagonal. */
  rank: number;
  mode: RdeMode;
  /** Noise samples per step in Monte-Carlo mode. */
  samples: number;
  iterations: number;
  s0: number;
  /** Stop once F falls by less than this fraction over 10 iterations; 0 runs the full budget. */
  plateau: number;
}

export interface RdeTracePoint {
  iteration: number;
  distortion: number;
  rate: number;
  objective: number;
}

/** A finished run: one point of the rate-distortion plane, with the mask it reached. */
export interface RdePoint {
  id: number;
  lambda: number;
  rank: number;
  mode: RdeMode;
  target: number;
  distortion: number;
  rate: number;
  mask: Float32Array;
  /** The run's trace, shown again when the point is restored. */
  trace: RdeTracePoint[];
  /** Runs of one "sweep λ" share a number and are joined in order. */
  sweep: number | null;
}

export interface RdeState {
  settings: RdeSettings;
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  progress: number;
  error: string | null;
  /** The run's trace so far (one record per iteration). */
  trace: RdeTracePoint[];
  /** The current mask s (input shape) and the class it explains. */
  mask: Float32Array | null;
  maskTarget: number | null;
  points: RdePoint[];
  sweep: { id: number; done: number; total: number } | null;
  obfuscations: { images: Float32Array; scores: Float32Array; count: number; phiX: number } | null;
  /** Timings of the last run, ms from the request: first streamed mask, and the end. */
  timing: { firstMask: number | null; done: number | null };
}

export const RDE_MODES: Record<RdeMode, string> = {
  diag: 'Diagonal ADF',
  lowrank: 'Low-rank ADF',
  'lowrank-diag': 'Low-rank + diagonal ADF',
  mc: 'Monte Carlo',
};

export const defaultRdeSettings: RdeSettings = { lambda: 0.5, rank: 0, mode: 'diag', samples: 64, iterations: 300, s0: 0.25, plateau: 0.001 };

export const initialRdeState: RdeState = {
  settings: defaultRdeSettings,
  status: 'idle',
  progress: 0,
  error: null,
  trace: [],
  mask: null,
  maskTarget: null,
  points: [],
  sweep: null,
  obfuscations: null,
  timing: { firstMask: null, done: null },
};

/** What the mode control reads: the name of the mode and, where it matters, the rank. */
export function modeLabel(s: Pick<RdeSettings, 'mode' | 'rank' | 'samples'>): string {
  if (s.mode === 'diag') return RDE_MODES.diag;
  if (s.mode === 'mc') return `${RDE_MODES.mc}, ${s.samples} samples, V at rank ${s.rank}`;
  return `${RDE_MODES[s.mode]}, rank ${s.rank}`;
}

/**
 * Keeps mode and rank consistent after a change: rank 0 is the diagonal mode; a rank above 0
 * with the diagonal mode selected moves to low-rank + diagonal (the most accurate, measured);
 * choosing a low-rank mode at rank 0 takes rank 10.
 */
export function reconcileRdeSettings(previous: RdeSettings, patch: Partial<RdeSettings>): RdeSettings {
  const next = { ...previous, ...patch };
  if (patch.rank !== undefined && patch.mode === undefined && next.mode !== 'mc') {
    if (next.rank === 0) next.mode = 'diag';
    else if (next.mode === 'diag') next.mode = 'lowrank-diag';
  }
  if (patch.mode !== undefined) {
    if (next.mode === 'diag') next.rank = 0;
    else if (next.mode !== 'mc' && next.rank === 0) next.rank = 10;
  }
  return next;
}

/** λ values of a sweep: `count` values evenly spaced in log λ from `low` to `high`. */
export function sweepLambdas(low: number, high: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => low * (high / low) ** (k / (count - 1)));
}
