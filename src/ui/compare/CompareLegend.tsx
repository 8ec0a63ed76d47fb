import { useId } from 'react';
import { divergingScale } from '../colour';
import { formatValue } from './format';

/** A card's colour bar: ±limit with the range of the values drawn (ids unique per card). */
export function CompareLegend({ methodId, limit, min, max }: { methodId: string; limit: number; min: number; max: number }) {
  // useId's characters are not all valid in url(#…); keep the safe ones.
  const gradientId = `compare-legend-${methodId}-${useId().replace(/[^\w-]/g, '')}`;
  const scale = divergingScale(limit);
  const stops = Array.from({ length: 11 }, (_, k) => -limit + (2 * limit * k) / 10);
  return (
    <figure className="compare-legend" aria-label={`Colour scale from ${formatValue(-limit)} (blue) to ${formatValue(limit)} (red)`}>
      <svg viewBox="0 0 240 16" preserveAspectRatio="none" aria-hidden="true">
        <defs>
          <linearGradient id={gradientId}>
            {stops.map((v, k) => <stop key={k} offset={`${k * 10}%`} stopColor={scale(v)} />)}
          </linearGradient>
        </defs>
        <rect x="0" y="0" width="240" height="16" fill={`url(#${gradientId})`} stroke="#555" />
      </svg>
      <div className="compare-legend-ticks">
        <span data-testid={`compare-legend-min-${methodId}`}>{formatValue(-limit)}</span>
        <span>0</span>
        <span data-testid={`compare-legend-max-${methodId}`}>{formatValue(limit)}</span>
      </div>
      <figcaption>drawn values from {formatValue(min)} to {formatValue(max)}</figcaption>
    </figure>
  );
}
