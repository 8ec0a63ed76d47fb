// RDE's parameters as a zod schema, with no tfjs in sight: the worker runs RDE with it, and the
// page's store, panel and link read the same defaults, bounds and help from it.
import { z } from 'zod';
import { RATE_TERMS, RATE_TERM_LABELS } from './rateTerm';
import { paramDescriptors, type ParamDescriptor } from '../methods/params';

export const RDE_MODES = ['diag', 'lowrank', 'lowrank-diag', 'mc'] as const;
export type RdeMode = typeof RDE_MODES[number];

export const RDE_MODE_LABELS: Record<RdeMode, string> = {
  diag: 'Diagonal ADF',
  lowrank: 'Low-rank ADF',
  'lowrank-diag': 'Low-rank + diagonal ADF',
  mc: 'Monte Carlo',
};

/**
 * RDE's parameters, declared once: the panel, the comparison card, the link and the CLI derive
 * their fields, bounds, defaults and messages from this (core/methods/params.ts). The defaults
 * are the studio's everywhere: diagonal ADF (rank 0), the reference code's rate term, and a run
 * that stops once F settles (at most 300 iterations).
 */
export const rdeParams = z.object({
  mode: z.enum(RDE_MODES).default('diag').meta({
    title: 'Distortion mode',
    description: 'How D(s) is computed. ADF (assumed density filtering) carries the mean and variance of the noisy input through the network in one pass: diagonal ignores correlations between pixels, low-rank keeps the top components of V, low-rank + diagonal both (the most accurate). Monte Carlo averages over noise samples.',
    optionLabels: RDE_MODE_LABELS,
  }),
  rank: z.number().int().min(0).max(4096).default(0).meta({
    title: 'Covariance rank of V',
    description: 'How many principal components of the reference distribution V the noise keeps (0: independent pixels, the diagonal mode). Higher ranks make the noise look like real images and cost more.',
  }),
  lambda: z.number().min(0).max(1e4).default(0.5).meta({
    title: 'λ',
    description: 'Weight of the rate term: a larger λ buys a smaller mask at the price of a larger distortion.',
  }),
  regulariser: z.enum(RATE_TERMS).default('reference').meta({
    title: 'Rate term',
    description: 'How the mask size enters F. The reference code scales λ by Φ(x)² and divides by d, so one λ means the same on every image and score; the paper adds λ‖s‖₁.',
    optionLabels: RATE_TERM_LABELS,
  }),
  iterations: z.number().int().min(1).max(10_000).default(300).meta({
    title: 'Iterations',
    description: 'The most iterations a run takes (it stops earlier once F settles).',
  }),
  plateau: z.number().min(0).max(1).default(0.001).meta({
    title: 'Stop tolerance',
    description: 'Stop once F has fallen by less than this fraction over the last 10 iterations; 0 runs every iteration (as the reference code).',
  }),
  s0: z.number().min(0).max(1).default(0.25).meta({
    title: 's₀',
    description: 'The mask every run starts from (the same value in every pixel; the reference code uses 0.25).',
  }),
  optimizer: z.enum(['armijo', 'adam']).default('armijo').meta({
    title: 'Optimiser',
    description: 'armijo: projected gradient with momentum and a backtracking line search (reference code); adam: Adam with clamping to [0, 1].',
  }),
  step: z.number().positive().max(1e4).default(1).meta({
    title: 'Step',
    description: 'Initial step (armijo) or learning rate ×1e-3 (adam).',
  }),
  lineSearch: z.number().int().min(1).max(30).default(3).meta({
    title: 'Line-search batch',
    description: 'Armijo line-search steps tried together in one batched pass (the same result, fewer passes).',
  }),
  samples: z.number().int().min(1).max(4096).default(64).meta({
    title: 'Samples per step',
    description: 'Noise samples per evaluation of D in Monte Carlo mode and in the Monte-Carlo refinement (the same draws at every step).',
  }),
  refine: z.number().int().min(0).max(1000).default(0).meta({
    title: 'Monte-Carlo refinement',
    description: 'After an ADF run, this many more iterations on the Monte-Carlo D (the same noise draws at every step), starting from the ADF mask: the ADF modes underestimate D at the masks they find. Every iterate and the ADF mask are judged on as many further draws, and the one with the lowest F there is kept. Measured on 20 digits (30 iterations, 64 draws): it lowers the Monte-Carlo F after diagonal ADF (20 of 20, median −1.9 %) and leaves it where it was after low-rank + diagonal (median 0.0 %, −1.8 % to +1.4 %: that mode\'s mask is already near the optimum). 0: none.',
  }),
});
export type RdeParams = z.infer<typeof rdeParams>;

/** RDE's parameters as descriptors by name (label, help, bounds), for the panel and the link. */
export const RDE_FIELDS = Object.fromEntries(paramDescriptors(rdeParams).map((d) => [d.name, d])) as Record<keyof RdeParams, ParamDescriptor>;

/** RDE's defaults, the same in the panel, the comparison card, a link and the CLI. */
export const RDE_DEFAULTS: RdeParams = rdeParams.parse({});

/** What the mode control reads: the name of the mode and, where it matters, the rank. */
export function modeLabel(s: Pick<RdeParams, 'mode' | 'rank' | 'samples'>): string {
  const labels = RDE_MODE_LABELS;
  if (s.mode === 'diag') return labels.diag;
  if (s.mode === 'mc') return `${labels.mc}, ${s.samples} samples, V at rank ${s.rank}`;
  return `${labels[s.mode]}, rank ${s.rank}`;
}

/**
 * Keeps mode and rank consistent after a change (the one rule, used by the panel and a link):
 * rank 0 is the diagonal mode; a rank above 0 with the diagonal mode selected moves to low-rank
 * + diagonal (the most accurate, measured); choosing a low-rank mode at rank 0 takes rank 10
 * (or the most the reference holds, if less).
 */
export function reconcileRdeParams(previous: RdeParams, patch: Partial<RdeParams>, maxRank = Infinity): RdeParams {
  const next = { ...previous, ...patch };
  if (patch.rank !== undefined && patch.mode === undefined && next.mode !== 'mc') {
    if (next.rank === 0) next.mode = 'diag';
    else if (next.mode === 'diag') next.mode = 'lowrank-diag';
  }
  if (patch.mode !== undefined) {
    if (next.mode === 'diag') next.rank = 0;
    else if (next.mode !== 'mc' && next.rank === 0) next.rank = Math.max(1, Math.min(10, maxRank));
  }
  return next;
}
