import { DivergingBar } from '../DivergingBar';
import { formatValue } from './format';

/** A card's colour bar: ±limit with the range of the values drawn. */
export function CompareLegend({ methodId, limit, min, max }: { methodId: string; limit: number; min: number; max: number }) {
  return (
    <figure className="compare-legend" aria-label={`Colour scale from ${formatValue(-limit)} (blue) to ${formatValue(limit)} (red)`}>
      <DivergingBar limit={limit} width={240} height={16} responsive />
      <div className="compare-legend-ticks">
        <span data-testid={`compare-legend-min-${methodId}`}>{formatValue(-limit)}</span>
        <span>0</span>
        <span data-testid={`compare-legend-max-${methodId}`}>{formatValue(limit)}</span>
      </div>
      <figcaption>drawn values from {formatValue(min)} to {formatValue(max)}</figcaption>
    </figure>
  );
}
