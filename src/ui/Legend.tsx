import { ScaleBar } from './ScaleBar';
import type { MapScale } from './mapScale';

/** Three significant digits, or an exponent outside 0.01…1000 (the panels' legends). */
export function legendNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(1) : v.toPrecision(3);
}

/**
 * The colour bar of a map with its end labels, its unit, how its range was set and the range
 * of the values drawn: every part read from the map's scale (ui/mapScale.ts).
 * `testId` names the figure; its end labels are `${testId}-min` / `-max` (+ `suffix`).
 */
export function Legend({ scale, min, max, testId, suffix = '', compact = false, format = legendNumber }: {
  scale: MapScale; min: number; max: number; testId: string; suffix?: string; compact?: boolean; format?: (v: number) => string;
}) {
  const { labels, colours, unit } = scale;
  const width = compact ? 240 : 280;
  return (
    <figure className={compact ? 'compare-legend' : 'legend'} data-testid={`${testId}${suffix}`}
      data-palette={scale.palette} data-domain={scale.domain.join(',')} data-unit={unit.id}
      aria-label={`Colour scale from ${labels.low} (${colours.low})${labels.mid !== null ? ` through ${labels.mid} (white)` : ''} to ${labels.high} (${colours.high}), in ${unit.label}`}>
      <ScaleBar scale={scale} width={width} height={compact ? 16 : 18} responsive={compact} />
      <div className={compact ? 'compare-legend-ticks' : 'legend-ticks'}>
        <span data-testid={`${testId}-min${suffix}`}>{labels.low}</span>
        {labels.mid !== null && <span>{labels.mid}</span>}
        <span data-testid={`${testId}-max${suffix}`}>{labels.high}</span>
      </div>
      <figcaption>
        <span data-testid={`${testId}-unit${suffix}`}>{unit.label}</span>{unit.nominal && ` (nominal: ${unit.nominal})`}
        {'; '}<span data-testid={`${testId}-range${suffix}`}>{scale.range}</span>
        {'; '}drawn values {format(min)} to {format(max)}
      </figcaption>
    </figure>
  );
}
