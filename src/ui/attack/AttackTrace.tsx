import { memo, useMemo } from 'react';
import { scaleLinear } from 'd3-scale';
import type { AttackIteration, PerturbedOutcome } from '../../worker/protocol';
import { Axis, formatNumber, linePath } from '../plots/Axis';

const W = 520;
const H = 260;
const M = { top: 14, right: 84, bottom: 52, left: 70 };

/**
 * How far the attack has moved the map, against iteration: the top-k intersection, Spearman and
 * SSIM of the pixel magnitudes (left axis, 1 = unchanged) and the mass-centre shift in pixels
 * (right axis). The random baseline at the same ε is drawn as dashed horizontal lines in the
 * same colours, so a user sees whether the attack does more than noise.
 */
export const AttackTrace = memo(function AttackTrace({ trace, iterations, random }: {
  trace: AttackIteration[]; iterations: number; random: PerturbedOutcome | null;
}) {
  const last = trace[trace.length - 1];
  const { x, left, right } = useMemo(() => {
    const shifts = trace.map((r) => r.massCentreShift).concat(random ? [random.metrics.massCentreShift] : []);
    const maxShift = Math.max(1, ...shifts);
    const lowest = Math.min(0, ...trace.map((r) => r.spearman), random?.metrics.spearman ?? 0);
    return {
      x: scaleLinear().domain([0, Math.max(1, iterations)]).range([M.left, W - M.right]),
      left: scaleLinear().domain([Math.max(-1, lowest), 1]).range([H - M.bottom, M.top]).nice(),
      right: scaleLinear().domain([0, maxShift]).range([H - M.bottom, M.top]).nice(),
    };
  }, [trace, iterations, random]);
  // Iteration 0 is the input itself: every similarity 1, no shift.
  const from = (pick: (r: AttackIteration) => number | null, start: number, y: (v: number) => number) =>
    linePath([[x(0), y(start)] as [number, number]].concat(trace.filter((r) => pick(r) !== null).map((r) => [x(r.iteration), y(pick(r)!)])));
  const series = [
    { key: 'topk', label: 'top-k ∩', className: 'attack-topk', path: from((r) => r.topkIntersection, 1, left), base: random?.metrics.topkIntersection, axis: left },
    { key: 'spearman', label: 'Spearman', className: 'attack-spearman', path: from((r) => r.spearman, 1, left), base: random?.metrics.spearman, axis: left },
    { key: 'ssim', label: 'SSIM', className: 'attack-ssim', path: from((r) => r.ssim, 1, left), base: random?.metrics.ssim ?? undefined, axis: left },
    { key: 'shift', label: 'centre shift (px, right axis)', className: 'attack-shift', path: from((r) => r.massCentreShift, 0, right), base: random?.metrics.massCentreShift, axis: right },
  ];
  return (
    <figure className="plot attack-trace" data-testid="attack-trace">
      <svg width={W} height={H} role="img"
        aria-label={last
          ? `After ${trace.length} iterations: top-k intersection ${formatNumber(last.topkIntersection)}, Spearman ${formatNumber(last.spearman)}, centre shift ${formatNumber(last.massCentreShift)} pixels${random ? `; random baseline ${formatNumber(random.metrics.topkIntersection)} and ${formatNumber(random.metrics.spearman)}` : ''}`
          : 'Dissimilarity against iteration: no iteration yet'}>
        <Axis scale={x} side="bottom" transform={`translate(0,${H - M.bottom})`} title="iteration" />
        <Axis scale={left} side="left" transform={`translate(${M.left},0)`} ticks={5} format={formatNumber} title="similarity (1: unchanged)" />
        <Axis scale={right} side="right" transform={`translate(${W - M.right},0)`} ticks={4} format={formatNumber} title="shift (px)" />
        {series.map((s) => s.base !== undefined && (
          <line key={`${s.key}-base`} x1={M.left} x2={W - M.right} y1={s.axis(s.base)} y2={s.axis(s.base)} className={`${s.className} attack-baseline`} data-testid={`attack-trace-random-${s.key}`} />
        ))}
        {series.map((s) => <path key={s.key} d={s.path} className={s.className} data-testid={`attack-trace-${s.key}`} />)}
      </svg>
      <figcaption className="plot-legend">
        {series.map((s) => (
          <span key={s.key}><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" className={s.className} /></svg>{s.label}</span>
        ))}
        <span><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" className="attack-topk attack-baseline" /></svg>dashed: random signs at the same ε</span>
      </figcaption>
    </figure>
  );
});
