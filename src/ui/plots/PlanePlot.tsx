import { memo, useMemo, useState } from 'react';
import { modeLabel, RDE_MODES, type RdeMode, type RdePoint } from '../../store/rdeSlice';
import { Axis, formatNumber, linePath } from './Axis';
import { linearScale } from './plotScales';
import { BACKEND_LABELS, type BackendName } from '../../core/tf/backendNames';
import { BACKEND_AGREEMENT } from '../../store/backendSwitch';
import { selectVerification } from '../../store/rdeVerify';
import type { VerificationEntry } from '../../store/rdeSlice';
import { formatWithError, optimiserDistortionLabel } from '../DistortionCheck';

const W = 460;
const H = 260;
const M = { top: 16, right: 24, bottom: 52, left: 84 };

const backendName = (b: string) => BACKEND_LABELS[b as BackendName] ?? b;

/** The point's Monte-Carlo D when its check has an estimate (final or partial), else null. */
function checked(p: RdePoint, verifications: Record<string, VerificationEntry>): { value: number; error: number; final: boolean } | null {
  const entry = selectVerification(verifications, p);
  const e = entry?.estimate;
  return e && e.samples > 1 ? { value: e.distortion, error: e.standardError, final: entry!.status === 'done' } : null;
}

function describe(p: RdePoint, verifications: Record<string, VerificationEntry>): string {
  const mc = checked(p, verifications);
  const d = `D ${formatNumber(p.distortion)} (${optimiserDistortionLabel(p.params)})${mc ? `, ${formatWithError(mc.value, mc.error)} (Monte Carlo${mc.final ? '' : ', so far'})` : ', not yet checked by Monte Carlo'}`;
  return `λ ${formatNumber(p.lambda)}, ${modeLabel({ mode: p.mode, rank: p.rank, samples: p.params.samples })}: ${d}, rate ${formatNumber(p.rate)}, on ${backendName(p.backend)}`;
}

/**
 * The rate-distortion plane: one point per finished run; the points of a λ sweep are joined
 * in order. Hover (or focus) shows a point's settings; click (or Enter) restores its mask.
 */
export const PlanePlot = memo(function PlanePlot({ points, verifications, onPick }: {
  points: RdePoint[]; verifications: Record<string, VerificationEntry>; onPick: (id: number) => void;
}) {
  const [hover, setHover] = useState<RdePoint | null>(null);
  // Each point at its Monte-Carlo D once checked (with its ± 1 s.e. bar); until then at the optimiser's D, hollow.
  const placed = useMemo(() => points.map((p) => {
    const mc = checked(p, verifications);
    return { p, d: mc ? mc.value : p.distortion, error: mc?.error ?? 0, verified: mc !== null };
  }), [points, verifications]);
  const { x, y } = useMemo(() => ({
    x: linearScale(points.map((p) => p.rate * 1.05), 0.05, [M.left, W - M.right]),
    y: linearScale(placed.map((q) => (q.d + q.error) * 1.05), 1e-9, [H - M.bottom, M.top]),
  }), [points, placed]);
  // The legend names the modes of the points shown (the colours are those of .rd-point.mode-*).
  const modes = useMemo(() => (Object.keys(RDE_MODES) as RdeMode[]).filter((m) => points.some((p) => p.mode === m)), [points]);
  // Points survive a backend switch; once they come from several backends the plane says so.
  const backends = useMemo(() => [...new Set(points.map((p) => p.backend))].map(backendName), [points]);
  const sweeps = useMemo(() => {
    const groups = new Map<number, typeof placed>();
    for (const q of placed) if (q.p.sweep !== null) groups.set(q.p.sweep, [...(groups.get(q.p.sweep) ?? []), q]);
    return [...groups.entries()];
  }, [placed]);
  return (
    <figure className="plot" data-testid="rde-plane">
      <svg width={W} height={H} role="group" aria-label={`Rate-distortion plane, ${points.length} points`}>
        <Axis scale={x.scale} tickValues={x.ticks} side="bottom" transform={`translate(0,${H - M.bottom})`} format={formatNumber} title="rate ‖s‖₁ / d" />
        <Axis scale={y.scale} tickValues={y.ticks} side="left" transform={`translate(${M.left},0)`} format={formatNumber} title="D by Monte Carlo (logit²)" />
        {sweeps.map(([id, qs]) => <path key={id} className="frontier" d={linePath(qs.map((q) => [x.scale(q.p.rate), y.scale(q.d)]))} data-testid="rde-frontier" />)}
        {placed.map(({ p, d, error }) => error > 0 && (
          <line key={`e${p.id}`} className="rd-error" x1={x.scale(p.rate)} x2={x.scale(p.rate)} y1={y.scale(d - error)} y2={y.scale(d + error)} aria-hidden="true" />
        ))}
        {placed.map(({ p, d, verified }, k) => (
          <circle key={p.id} cx={x.scale(p.rate)} cy={y.scale(d)} r={k === points.length - 1 ? 8 : 6}
            className={`rd-point mode-${p.mode}${k === points.length - 1 ? ' latest' : ''}${verified ? '' : ' unverified'}`}
            tabIndex={0} role="button" aria-label={`${describe(p, verifications)}. Press Enter to show its mask.`} data-testid="rd-point"
            data-verified={verified ? 'yes' : 'no'} data-d={d}
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
          {placed.some((q) => !q.verified) ? <li><svg width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="5.5" className="rd-point unverified" /></svg>not yet checked (the optimiser&apos;s D)</li> : null}
        </ul>
      ) : null}
      {backends.length > 1 ? (
        <p className="meta" data-testid="rd-backends">
          Points computed on {backends.join(' and ')}: a backend switch keeps finished points, each labelled with its backend (they agree to about {BACKEND_AGREEMENT}).
        </p>
      ) : null}
      <figcaption className="plot-tooltip" aria-live="polite" data-testid="rd-tooltip">
        {hover ? describe(hover, verifications) : points.length ? 'Hover a point for its settings; click it to show its mask.' : 'Each finished run adds a point here.'}
      </figcaption>
    </figure>
  );
});
