import { memo, useMemo } from 'react';
import { scaleLinear } from 'd3-scale';
import type { RelevanceCurve } from '../../core/evaluate/types';
import { Axis, formatNumber, linePath } from './Axis';
import { linearScale } from './plotScales';

const W = 640;
const H = 340;
const M = { top: 16, right: 24, bottom: 56, left: 92 };

export interface CurveSeries {
  id: string;
  label: string;
  colour: string;
  /** Dashed: the random baseline, set apart from the methods. */
  dashed: boolean;
  curve: RelevanceCurve | null;
}

/** The band mean ± one standard error as a closed SVG path (upper edge left to right, lower edge back). */
export function bandPath(points: Array<[number, number, number]>, x: (v: number) => number, y: (v: number) => number): string {
  const finite = points.filter(([r, m, e]) => Number.isFinite(r) && Number.isFinite(m) && Number.isFinite(e));
  if (finite.length < 2) return '';
  const upper = finite.map(([r, m, e]) => `${x(r).toFixed(1)},${y(m + e).toFixed(1)}`);
  const lower = finite.slice().reverse().map(([r, m, e]) => `${x(r).toFixed(1)},${y(Math.max(0, m - e)).toFixed(1)}`);
  return `M${upper.join('L')}L${lower.join('L')}Z`;
}

/**
 * Relevance-ordering curves: the mean distortion against the share of components kept (most
 * relevant first), one line per method with a band of ± one standard error over the fillings.
 * The lines fill in as the worker's batches finish.
 */
export const CurvePlot = memo(function CurvePlot({ series, maxRate, yTitle }: { series: CurveSeries[]; maxRate: number; yTitle: string }) {
  const { x, y } = useMemo(() => ({
    x: scaleLinear().domain([0, maxRate * 100]).range([M.left, W - M.right]),
    y: linearScale(series.flatMap((s) => s.curve ? s.curve.distortion.map((m, i) => m + s.curve!.stderr[i]) : []), 1e-9, [H - M.bottom, M.top]),
  }), [series, maxRate]);
  const drawn = series.filter((s) => s.curve && s.curve.rates.length > 0);
  return (
    <figure className="plot evaluate-plot" data-testid="evaluate-plot">
      <svg width={W} height={H} role="img"
        aria-label={`Relevance-ordering curves of ${drawn.length} maps: distortion against the share of components kept, most relevant first. The table below gives their areas.`}>
        <Axis scale={x} side="bottom" transform={`translate(0,${H - M.bottom})`} format={(v) => `${formatNumber(v)}`} title="rate k/d: components kept, most relevant first (%)" />
        <Axis scale={y.scale} tickValues={y.ticks} side="left" transform={`translate(${M.left},0)`} format={formatNumber} title={yTitle} />
        {drawn.map((s) => {
          const c = s.curve!;
          const points = c.rates.map((r, i): [number, number, number] => [r * 100, c.distortion[i], c.stderr[i]]);
          return (
            <g key={s.id} data-testid={`evaluate-curve-${s.id}`}>
              <path className="curve-band" d={bandPath(points, x, y.scale)} fill={s.colour} data-testid={`evaluate-band-${s.id}`} />
              <path className="curve-line" d={linePath(points.map(([r, m]) => [x(r), y.scale(m)]))} stroke={s.colour}
                strokeDasharray={s.dashed ? '7 4' : undefined} data-testid={`evaluate-line-${s.id}`} />
            </g>
          );
        })}
      </svg>
      <ul className="plot-legend" aria-label="Curve colours" data-testid="evaluate-legend">
        {series.map((s) => (
          <li key={s.id}>
            <svg width="28" height="12" aria-hidden="true">
              <rect x="0" y="1" width="28" height="10" fill={s.colour} className="curve-band" />
              <line x1="0" y1="6" x2="28" y2="6" stroke={s.colour} className="curve-line" strokeDasharray={s.dashed ? '7 4' : undefined} />
            </svg>
            {s.label}
          </li>
        ))}
        <li className="meta">band: ± 1 standard error over the fillings</li>
      </ul>
    </figure>
  );
});
