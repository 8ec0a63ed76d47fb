// The RDE panel's part of the shared store: settings (mirrored in the URL), the live run, the
// finished points of the rate-distortion plane and the teaching strip. Plain data only.
import { RDE_DEFAULTS, type RdeMode, type RdeParams } from '../core/rde/params';
import type { Run } from './runExecutor';
import type { MonteCarloCheck } from '../core/rde/verify';

export type { RdeMode } from '../core/rde/params';

/** The panel's settings are RDE's parameters, all of them, with RDE's own defaults. */
export type RdeSettings = RdeParams;

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
  /** Every parameter of the run: a point is shown again, or reused by the comparison card, only for the same ones. */
  params: RdeParams;
  target: number;
  /** Φ(x), the explained score, for the readout's F = D + rate term. */
  phiX: number;
  objective: number;
  milliseconds: number;
  backend: string;
  distortion: number;
  rate: number;
  mask: Float32Array;
  /** The run's trace, shown again when the point is restored. */
  trace: RdeTracePoint[];
  /** Runs of one "sweep λ" share a number and are joined in order. */
  sweep: number | null;
}

/** A mask's Monte-Carlo verification (store/rdeVerify.ts): streamed estimate, then the final one. */
export interface VerificationEntry {
  status: Run['status'];
  /** The estimate so far (while running) or the final one. */
  estimate: MonteCarloCheck | null;
  error?: string;
}

export interface RdeState {
  settings: RdeSettings;
  /** The panel's current run (store/runExecutor.ts); null before the first. */
  run: Run | null;
  /** A settings change will start a run in a moment (slider drags coalesce): shown as running. */
  scheduled: boolean;
  /** A problem outside a run (drawing the obfuscation strip). */
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
  /** Monte-Carlo verifications of finished masks, by class and parameters (verificationKey). */
  verifications: Record<string, VerificationEntry>;
}

export const defaultRdeSettings: RdeSettings = RDE_DEFAULTS;

export const initialRdeState: RdeState = {
  settings: defaultRdeSettings,
  run: null,
  scheduled: false,
  error: null,
  trace: [],
  mask: null,
  maskTarget: null,
  points: [],
  sweep: null,
  obfuscations: null,
  timing: { firstMask: null, done: null },
  verifications: {},
};

/** The panel's status in one word: a scheduled run reads as running. */
export function rdeStatus(rde: Pick<RdeState, 'run' | 'scheduled'>): 'idle' | Run['status'] {
  if (rde.scheduled) return 'running';
  return rde.run?.status ?? 'idle';
}

/** λ values of a sweep: `count` values evenly spaced in log λ from `low` to `high`. */
export function sweepLambdas(low: number, high: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => low * (high / low) ** (k / (count - 1)));
}

/** The mode names and the mode label, from RDE's schema (core/rde/params.ts). */
export { RDE_MODE_LABELS as RDE_MODES, modeLabel } from '../core/rde/params';
