import { z } from 'zod';
import { ABSENT_MODES } from './absent';

/** How absent pixels are filled and how many network inputs go into one forward call (every method here). */
export function absentParams() {
  return {
    baseline: z.enum(ABSENT_MODES).default('zeros')
      .describe('what absent pixels take: zeros, the reference mean, the blurred input, or samples from the reference distribution V (v averaged over them)'),
    blurSigma: z.number().min(0).max(100).default(5).describe('σ in pixels of the Gaussian blur for the blurred baseline'),
    referenceSamples: z.number().int().min(1).max(256).default(8)
      .describe('samples from V per coalition for the reference-samples baseline'),
    batch: z.number().int().min(1).max(4096).default(128).describe('network inputs per forward call'),
  };
}

/** Who the players are: a grid of square patches or SLIC superpixels, with per-method defaults. */
export function playerParams(defaults: { players: 'grid' | 'slic'; patch: number; segments: number }) {
  return {
    players: z.enum(['grid', 'slic']).default(defaults.players).describe('players: square patches or SLIC superpixels'),
    patch: z.number().int().min(1).max(256).default(defaults.patch).describe('patch side in pixels (grid players)'),
    segments: z.number().int().min(1).max(2048).default(defaults.segments).describe('requested number of superpixels (slic players)'),
    compactness: z.number().positive().max(100).default(0.3)
      .describe('SLIC weight of space against colour: one grid interval counts as this fraction of the colour range'),
    ...absentParams(),
  };
}

const playerSchema = z.object(playerParams({ players: 'grid', patch: 7, segments: 16 }));
export type PlayerParams = z.infer<typeof playerSchema>;

/**
 * Players a run will have (grid: exact; SLIC: the requested count, which it meets to within a
 * few) and the network inputs per coalition (the reference-samples baseline averages over V).
 */
export function playerCountEstimate(p: PlayerParams, shape: [number, number, number]): { players: number; perCoalition: number } {
  const players = p.players === 'grid' ? Math.ceil(shape[0] / p.patch) * Math.ceil(shape[1] / p.patch) : p.segments;
  return { players, perCoalition: p.baseline === 'reference-samples' ? p.referenceSamples : 1 };
}
