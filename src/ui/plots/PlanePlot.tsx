import { memo, useMemo, useState } from 'react';
import { modeLabel, RDE_MODES, type RdeMode, type RdePoint } from '../../store/rdeSlice';
import { Axis, formatNumber, linePath } from './Axis';
import { linearScale } from './plotScales';
import { BACKEND_LABELS, type BackendName } from '../../core/tf/backendNames';
import { BACKEND_AGREEMENT } from '../../store/backendSwitch';

const W = 460;
const H = 260;
const M = { top: 16, right: 24, bottom: 52, left: 84 };

const backendName = (b: string) => BACKEND_LABELS[b as BackendName] ?? b;

function describe(p: RdePoint): string {
  return `λ ${formatNumber(p.lambda)}, ${modeLabel({ mode: p.mode, rank: p.rank, samples: 0 }).replace(/, 0 samples/, '')}: D ${formatNumber(p.distortion)}, rate ${formatNumber(p.rate)}, on ${backendName(p.backend)}`;
}

/**
 * The rate-distortion plane: one point per finished run; the points of a λ sweep are joined
 * in order. Hover (or focus) shows a point's settings; click (or Enter) restores its mask.
 */
export const PlanePlot = memo(function PlanePlot({ points, onPick }: { points: RdePoint[]; onPick: (id: number) => void }) {
  const [hover, setHover] = useState<RdePoint | null>(null);
  const { x, y } = useMemo(() => ({
    x: linearScale(points.map((p) => p.rate * 1.05), 0.05, [M.left, W - M.right]),
    y: linearScale(points.map((p) => p.distortion * 1.05), 1e-9, [H - M.bottom, M.top]),
  }), [points]);
  // The legend names the modes of the points shown (the colours are those of .rd-point.mode-*).
  const modes = useMemo(() => (Object.keys(RDE_MODES) as RdeMode[]).filter((m) => points.some((p) => p.mode === m)), [points]);
  // Points survive a backend switch; once they come from several backends the plane says so.
  const backends = useMemo(() => [...new Set(points.map((p) => p.backend))].map(backendName), [points]);
  const sweeps = useMemo(() => {
    const groups = new Map<number, RdePoint[]>();
    for (const p of points) if (p.sweep !== null) groups.set(p.sweep, [...(groups.get(p.sweep) ?? []), p]);
    return [...groups.entries()];
  }, [points]);
  return (
    <figure className="plot" data-testid="rde-plane">
      <svg width={W} height={H} role="group" aria-label={`Rate-distortion plane, ${points.length} points`}>
        <Axis scale={x.scale} tickValues={x.ticks} side="bottom" transform={`translate(0,${H - M.bottom})`} format={formatNumber} title="rate ‖s‖₁ / d" />
        <Axis scale={y.scale} tickValues={y.ticks} side="left" transform={`translate(${M.left},0)`} format={formatNumber} title="distortion D (logit²)" />
        {sweeps.map(([id, ps]) => <path key={id} className="frontier" d={linePath(ps.map((p) => [x.scale(p.rate), y.scale(p.distortion)]))} data-testid="rde-frontier" />)}
        {points.map((p, k) => (
          <circle key={p.id} cx={x.scale(p.rate)} cy={y.scale(p.distortion)} r={k === points.length - 1 ? 8 : 6}
            className={`rd-point mode-${p.mode}${k === points.length - 1 ? ' latest' : ''}`}
            tabIndex={0} role="button" aria-label={`${describe(p)}. Press Enter to show its mask.`} data-testid="rd-point"
            onMouseEnter={() => setHover(p)} onMouseLeave={() => setHover(null)} onFocus={() => setHover(p)} onBlur={() => setHover(null)}
            onClick={() => onPick(p.id)} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPick(p.id); } }} />
        ))}
      </svg>
      {modes.length ? (
        <ul className="plot-legend" aria-label="Point colour: how D(s) was computed" data-testid="rd-legend">
          {modes.map((m) => (
            <li key={m}><svg width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="5.5" className={`rd-point mode-${m}`} /></svg>{RDE_MODES[m]}</li>
          ))}
          {sweeps.length ? <li><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" className="frontier" /></svg>λ sweep</li> : null}
        </ul>
      ) : null}
      {backends.length > 1 ? (
        <p className="meta" data-testid="rd-backends">
          Points computed on {backends.join(' and ')}: a backend switch keeps finished points, each labelled with its backend (they agree to about {BACKEND_AGREEMENT}).
        </p>
      ) : null}
      <figcaption className="plot-tooltip" aria-live="polite" data-testid="rd-tooltip">
        {hover ? describe(hover) : points.length ? 'Hover a point for its settings; click it to show its mask.' : 'Each finished run adds a point here.'}
      </figcaption>
    </figure>
  );
});
