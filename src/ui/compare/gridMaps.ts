// The comparison grid's maps with their scales: the store's display maps (sign mode applied,
// range per normalisation and unit) coloured and captioned by ui/mapScale.ts.
import { LOGIT_SHARE, type MethodUnit } from '../../core/methods/units';
import { displayMaps, unitsOf, type DisplayMap } from '../../store/compareDisplay';
import { CLIP_PERCENTILE, type CompareNormalisation, type CompareRun, type CompareSign } from '../../store/compareSlice';
import { mapScale, type MapScale } from '../mapScale';

export interface GridMap {
  map: DisplayMap;
  scale: MapScale;
}

export function gridMaps(
  runs: Record<string, CompareRun>, selected: string[], methods: ReadonlyArray<{ id: string; unit: MethodUnit }>,
  normalisation: CompareNormalisation, sign: CompareSign,
): Record<string, GridMap> {
  const maps = displayMaps(runs, selected, unitsOf(methods, runs), normalisation, sign);
  return Object.fromEntries(Object.entries(maps).map(([id, map]) => [id, {
    map,
    scale: mapScale({ unit: map.unit, sign, normalisation, limit: map.limit, sharedBy: map.sharedBy, percentile: CLIP_PERCENTILE }),
  }]));
}

/** What the colours of the grid's signed maps mean in this sign mode (each card says it for its own map). */
export function gridCaption(sign: CompareSign): string {
  return mapScale({ unit: LOGIT_SHARE, sign, normalisation: 'per-map', limit: 1 }).caption;
}
