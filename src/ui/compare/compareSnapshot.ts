// The comparison view as the end-to-end tests read it (window.__studio.snapshot().compare).
import { symmetricLimit } from '../../core/image/display';
import type { AxiomCheck } from '../../core/methods/types';
import type { MethodUnit } from '../../core/methods/units';
import type { CompareState } from '../../store/compareSlice';
import { gridMaps } from './gridMaps';

export interface CompareSnapshot {
  open: boolean;
  selected: string[];
  normalisation: string;
  sign: string;
  methods: Record<string, {
    status: string;
    progress: number;
    target: number;
    milliseconds: number | null;
    backend: string | null;
    check: AxiomCheck | null;
    /** Range of the raw relevance (all channels, before the sign mode). */
    min: number | null;
    max: number | null;
    /** The colour limit the card draws with (after sign mode and normalisation). */
    limit: number | null;
    /** The map's unit id, its palette and colour domain (ui/mapScale.ts); null without a map. */
    unit: string | null;
    palette: string | null;
    domain: [number, number] | null;
    /** The parameters the finished run used (defaults filled in); null until one finishes. */
    params: Record<string, unknown> | null;
    error: string | null;
    /** Where the map came from when it was not computed for the card ("the RDE panel"). */
    reusedFrom: string | null;
    /** Σ R_i·((i mod 97) + 1): tells two maps apart (the RDE snapshot's maskChecksum is the same sum). */
    checksum: number | null;
  }>;
}

export function compareSnapshot(compare: CompareState, methods: ReadonlyArray<{ id: string; unit: MethodUnit }>): CompareSnapshot {
  const maps = gridMaps(compare.runs, compare.selected, methods, compare.normalisation, compare.sign);
  return {
    open: compare.open,
    selected: compare.selected,
    normalisation: compare.normalisation,
    sign: compare.sign,
    methods: Object.fromEntries(Object.entries(compare.runs).map(([id, r]) => {
      const range = r.relevance ? symmetricLimit(r.relevance) : null;
      return [id, {
        status: r.status, progress: r.progress, target: r.target, milliseconds: r.milliseconds ?? null, backend: r.backend ?? null, check: r.check ?? null,
        min: range?.min ?? null, max: range?.max ?? null, limit: maps[id]?.map.limit ?? null,
        unit: maps[id]?.map.unit.id ?? null, palette: maps[id]?.scale.palette ?? null, domain: maps[id]?.scale.domain ?? null, params: r.params ?? null, error: r.error ?? null,
        reusedFrom: r.reusedFrom ?? null, checksum: r.relevance ? r.relevance.reduce((sum, v, i) => sum + v * ((i % 97) + 1), 0) : null,
      }];
    })),
  };
}
