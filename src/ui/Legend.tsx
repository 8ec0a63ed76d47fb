import { divergingScale } from './colour';

function format(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(1) : v.toPrecision(3);
}

/** The colour bar of a diverging map with its value range. */
export function Legend({ limit, min, max, unit }: { limit: number; min: number; max: number; unit: string }) {
  const scale = divergingScale(limit);
  const stops = Array.from({ length: 11 }, (_, k) => -limit + (2 * limit * k) / 10);
  const id = 'legend-gradient';
  return (
    <figure className="legend" data-testid="legend" aria-label={`Colour scale from ${format(-limit)} (blue) to ${format(limit)} (red)`}>
      <svg width="280" height="18" aria-hidden="true">
        <defs>
          <linearGradient id={id}>
            {stops.map((v, k) => <stop key={k} offset={`${k * 10}%`} stopColor={scale(v)} />)}
          </linearGradient>
        </defs>
        <rect x="0" y="0" width="280" height="18" fill={`url(#${id})`} stroke="#555" />
      </svg>
      <div className="legend-ticks">
        <span data-testid="legend-min">{format(-limit)}</span>
        <span>0</span>
        <span data-testid="legend-max">{format(limit)}</span>
      </div>
      <figcaption>{unit}; values in this map range from {format(min)} to {format(max)}</figcaption>
    </figure>
  );
}
