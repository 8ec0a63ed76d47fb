import { memo, useMemo, useState } from 'react';
import { scaleLinear } from 'd3-scale';
import { modeLabel, type RdePoint } from '../../store/rdeSlice';
import { Axis, formatNumber, linePath } from './Axis';

const W = 460;
const H = 260;
const M = { top: 16, right: 24, bottom: 48, left: 64 };

function describe(p: RdePoint): string {
  return `λ ${formatNumber(p.lambda)}, ${modeLabel({ mode: p.mode, rank: p.rank, samples: 0 }).replace(/, 0 samples/, '')}: D ${formatNumber(p.distortion)}, rate ${formatNumber(p.rate)}`;
}

/**
 * The rate-distortion plane: one point per finished run; the points of a λ sweep are joined
 * in order. Hover (or focus) shows a point's settings; click (or Enter) restores its mask.
 */
export const PlanePlot = memo(function PlanePlot({ points, onPick }: { points: RdePoint[]; onPick: (id: number) => void }) {
  const [hover, setHover] = useState<RdePoint | null>(null);
  const { x, y } = useMemo(() => ({
    x: scaleLinear().domain([0, Math.max(0.05, ...points.map((p) => p.rate)) * 1.05]).nice().range([M.left, W - M.right]),
    y: scaleLinear().domain([0, Math.max(1e-9, ...points.map((p) => p.distortion)) * 1.05]).nice().range([H - M.bottom, M.top]),
  }), [points]);
  const sweeps = useMemo(() => {
    const groups = new Map<number, RdePoint[]>();
    for (const p of points) if (p.sweep !== null) groups.set(p.sweep, [...(groups.get(p.sweep) ?? []), p]);
    return [...groups.entries()];
  }, [points]);
  return (
    <figure className="plot" data-testid="rde-plane">
      <svg width={W} height={H} role="group" aria-label={`Rate-distortion plane, ${points.length} points`}>
        <Axis scale={x} side="bottom" transform={`translate(0,${H - M.bottom})`} format={formatNumber} />
        <Axis scale={y} side="left" transform={`translate(${M.left},0)`} format={formatNumber} />
        <text className="axis-label" x={(M.left + W - M.right) / 2} y={H - 8} textAnchor="middle">rate ‖s‖₁ / d</text>
        <text className="axis-label" transform={`translate(16,${(H - M.bottom + M.top) / 2}) rotate(-90)`} textAnchor="middle">distortion D (logit²)</text>
        {sweeps.map(([id, ps]) => <path key={id} className="frontier" d={linePath(ps.map((p) => [x(p.rate), y(p.distortion)]))} data-testid="rde-frontier" />)}
        {points.map((p, k) => (
          <circle key={p.id} cx={x(p.rate)} cy={y(p.distortion)} r={k === points.length - 1 ? 8 : 6}
            className={`rd-point mode-${p.mode}${k === points.length - 1 ? ' latest' : ''}`}
            tabIndex={0} role="button" aria-label={`${describe(p)}. Press Enter to show its mask.`} data-testid="rd-point"
            onMouseEnter={() => setHover(p)} onMouseLeave={() => setHover(null)} onFocus={() => setHover(p)} onBlur={() => setHover(null)}
            onClick={() => onPick(p.id)} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPick(p.id); } }} />
        ))}
      </svg>
      <figcaption className="plot-tooltip" aria-live="polite" data-testid="rd-tooltip">
        {hover ? describe(hover) : points.length ? 'Hover a point for its settings; click it to show its mask.' : 'Each finished run adds a point here.'}
      </figcaption>
    </figure>
  );
});
