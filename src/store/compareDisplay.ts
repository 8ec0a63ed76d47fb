// What the comparison grid draws: each finished map reduced to one value per pixel, with the
// sign mode applied, and the colour limit its normalisation gives (DESIGN.md, data conventions:
// normalised per map, shared among the maps of one unit, or clipped).
import { reduceChannels, symmetricLimit } from '../core/image/display';
import { unitOfRun, type MethodUnit, type RelevanceUnit } from '../core/methods/units';
import { CLIP_PERCENTILE, type CompareNormalisation, type CompareSign } from './compareSlice';

export interface DisplayMap {
  values: Float32Array;
  width: number;
  height: number;
  /** The magnitude the colours saturate at (ui/mapScale.ts turns it into the colour domain). */
  limit: number;
  /** The range of the drawn values (after the sign mode). */
  min: number;
  max: number;
  unit: RelevanceUnit;
  /** With the shared normalisation, how many maps (this one included) share its range. */
  sharedBy: number;
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

function signedMap(relevance: Float32Array, shape: number[], sign: CompareSign, unit: RelevanceUnit): SignedMap {
  const bySign = signedMaps.get(relevance) ?? {};
  signedMaps.set(relevance, bySign);
  const cached = bySign[sign];
  if (cached) return cached;
  // A fixed-range unit (the mask) is averaged over channels so it stays in its range; relevance adds up.
  const reduced = reduceChannels(relevance, shape, unit.fixedRange ? 'mean' : 'sum');
  const values = applySign(reduced.values, sign);
  const { min, max } = symmetricLimit(values);
  const map = { values, width: reduced.width, height: reduced.height, min, max, clip: absPercentile(values, CLIP_PERCENTILE) };
  bySign[sign] = map;
  return map;
}

/**
 * The maps among `ids` that have a relevance (a finished run, or the previous map while a method
 * recomputes with new parameters), each with its unit (`units`, by id; core/methods/units.ts).
 * Per map: max |R| of each; shared: max |R| over the maps of the same unit, so colours compare in
 * absolute terms where the numbers are comparable and never across units (a gradient in logit per
 * input unit next to an occlusion drop in logit); percentile: the 99th percentile of |R| of each,
 * so a few extreme pixels do not wash the rest out (a map with no spread above it keeps max |R|).
 * A unit with a fixed range (the RDE mask, 0…1) is drawn on it whatever the normalisation.
 */
export function displayMaps(
  runs: Record<string, { relevance?: Float32Array; shape?: number[] } | undefined>, ids: string[],
  units: Record<string, RelevanceUnit>, normalisation: CompareNormalisation, sign: CompareSign,
): Record<string, DisplayMap> {
  const maps: Record<string, DisplayMap> = {};
  for (const id of ids) {
    const run = runs[id];
    const unit = units[id];
    if (!run?.relevance || !run.shape || !unit) continue;
    const { values, width, height, min, max, clip } = signedMap(run.relevance, run.shape, sign, unit);
    const own = Math.max(Math.abs(min), Math.abs(max));
    const limit = unit.fixedRange ? Math.max(...unit.fixedRange.map(Math.abs))
      : normalisation === 'percentile' && clip > 0 ? clip : own;
    maps[id] = { values, width, height, min, max, limit, unit, sharedBy: 1 };
  }
  if (normalisation === 'shared') {
    const groups = new Map<string, DisplayMap[]>();
    for (const m of Object.values(maps)) {
      if (!m.unit.fixedRange) groups.set(m.unit.id, [...(groups.get(m.unit.id) ?? []), m]);
    }
    for (const group of groups.values()) {
      const shared = Math.max(0, ...group.map((m) => m.limit));
      for (const m of group) Object.assign(m, { limit: shared, sharedBy: group.length });
    }
  }
  return maps;
}

/** The unit of each method's map: its method's, or the one the run's parameters select (the gradient's squared variant). */
export function unitsOf(
  methods: ReadonlyArray<{ id: string; unit: MethodUnit }>,
  runs: Record<string, { params?: Record<string, unknown>; requested?: Record<string, unknown> } | undefined>,
): Record<string, RelevanceUnit> {
  return Object.fromEntries(methods.map((m) => [m.id, unitOfRun(m.unit, runs[m.id]?.params ?? runs[m.id]?.requested)]));
}
