import { DivergingBar } from './DivergingBar';

function format(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(1) : v.toPrecision(3);
}

/** The colour bar of a diverging map with its value range. */
export function Legend({ limit, min, max, unit }: { limit: number; min: number; max: number; unit: string }) {
  return (
    <figure className="legend" data-testid="legend" aria-label={`Colour scale from ${format(-limit)} (blue) to ${format(limit)} (red)`}>
      <DivergingBar limit={limit} width={280} height={18} />
      <div className="legend-ticks">
        <span data-testid="legend-min">{format(-limit)}</span>
        <span>0</span>
        <span data-testid="legend-max">{format(limit)}</span>
      </div>
      <figcaption>{unit}; values in this map range from {format(min)} to {format(max)}</figcaption>
    </figure>
  );
}
