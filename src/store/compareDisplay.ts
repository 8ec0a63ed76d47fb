// What the comparison grid draws: each finished map reduced to one value per pixel, with the
// sign mode applied, and the colour limit its normalisation gives (DESIGN.md, data conventions:
// a diverging map centred at 0, normalised per map, shared across the panels, or clipped).
import { reduceChannels, symmetricLimit } from '../core/image/display';
import { CLIP_PERCENTILE, type CompareNormalisation, type CompareRun, type CompareSign } from './compareSlice';

export interface DisplayMap {
  values: Float32Array;
  width: number;
  height: number;
  /** The colour range is [−limit, limit]; values beyond it saturate. */
  limit: number;
  /** The range of the drawn values (after the sign mode). */
  min: number;
  max: number;
}

export function applySign(values: Float32Array, sign: CompareSign): Float32Array {
  if (sign === 'all') return values;
  return values.map((v) => (sign === 'positive' ? Math.max(v, 0) : sign === 'negative' ? Math.min(v, 0) : Math.abs(v)));
}

/** The p-th percentile of |v| (nearest rank: the smallest value with at least p% of |v| at or below it). */
export function absPercentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values, Math.abs).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

interface SignedMap {
  values: Float32Array;
  width: number;
  height: number;
  min: number;
  max: number;
  /** The 99th percentile of |value|. */
  clip: number;
}

// Per relevance array and sign mode, computed once: a progress update of one run then leaves
// the other maps' arrays as they were, so their (memoised) heatmaps are not redrawn.
const signedMaps = new WeakMap<Float32Array, Partial<Record<CompareSign, SignedMap>>>();

function signedMap(relevance: Float32Array, shape: number[], sign: CompareSign): SignedMap {
  const bySign = signedMaps.get(relevance) ?? {};
  signedMaps.set(relevance, bySign);
  const cached = bySign[sign];
  if (cached) return cached;
  const reduced = reduceChannels(relevance, shape);
  const values = applySign(reduced.values, sign);
  const { min, max } = symmetricLimit(values);
  const map = { values, width: reduced.width, height: reduced.height, min, max, clip: absPercentile(values, CLIP_PERCENTILE) };
  bySign[sign] = map;
  return map;
}

/**
 * The maps among `ids` that have a relevance (a finished run, or the previous map while a method
 * recomputes with new parameters). Per map: ±max |R| of each; shared: ±max |R| over
 * all of them, so colours compare in absolute terms; percentile: ±the 99th percentile of |R| of
 * each, so a few extreme pixels do not wash the rest out (a map with no spread above it keeps max |R|).
 */
export function displayMaps(
  runs: Record<string, CompareRun>, ids: string[], normalisation: CompareNormalisation, sign: CompareSign,
): Record<string, DisplayMap> {
  const maps: Record<string, DisplayMap> = {};
  for (const id of ids) {
    const run = runs[id];
    if (!run?.relevance || !run.shape) continue;
    const { values, width, height, min, max, clip } = signedMap(run.relevance, run.shape, sign);
    const limit = Math.max(Math.abs(min), Math.abs(max));
    maps[id] = { values, width, height, min, max, limit: normalisation === 'percentile' && clip > 0 ? clip : limit };
  }
  if (normalisation === 'shared') {
    const shared = Math.max(0, ...Object.values(maps).map((m) => m.limit));
    for (const m of Object.values(maps)) m.limit = shared;
  }
  return maps;
}
