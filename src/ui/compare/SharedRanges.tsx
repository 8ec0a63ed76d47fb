import type { MethodInfo } from '../../worker/protocol';
import type { GridMap } from './gridMaps';

/**
 * With the shared normalisation: which maps share a colour range, one line per unit, so it is
 * visible that maps in different units (a gradient, an occlusion drop, a mask) are never put on one scale.
 */
export function SharedRanges({ maps, methods }: { maps: Record<string, GridMap>; methods: MethodInfo[] }) {
  const groups = new Map<string, { label: string; high: string; low: string; fixed: boolean; names: string[] }>();
  for (const m of methods) {
    const g = maps[m.id];
    if (!g) continue;
    const { unit, labels } = g.scale;
    const group = groups.get(unit.id) ?? { label: unit.label, low: labels.low, high: labels.high, fixed: !!unit.fixedRange, names: [] };
    group.names.push(m.label);
    groups.set(unit.id, group);
  }
  if (groups.size === 0) return null;
  return (
    <div className="shared-ranges" data-testid="compare-shared-ranges">
      <p>Shared within a unit: maps in the same unit share one colour range; maps in different units are never put on one scale.</p>
      <ul>
        {[...groups.entries()].map(([id, g]) => (
          <li key={id} data-testid={`compare-shared-${id}`}>
            <strong>{g.label}</strong>: {g.low} … {g.high}{g.fixed ? ' (fixed)' : ''} for {g.names.join(', ')}
          </li>
        ))}
      </ul>
    </div>
  );
}
