import { memo, useMemo } from 'react';
import { scaleLinear } from 'd3-scale';
import type { RdeTracePoint } from '../../store/rdeSlice';
import { Axis, formatNumber, linePath } from './Axis';
import { linearScale, logScale } from './plotScales';

const W = 460;
const H = 260;
const M = { top: 16, right: 84, bottom: 52, left: 84 };

/**
 * D(s), the objective F and the rate ‖s‖₁/d against iteration, streaming while a run goes.
 * D and F share the left axis on a log scale (squared logit units: F is D plus the rate term,
 * often ten times D, which a linear axis would flatten); the rate has its own linear axis on
 * the right.
 */
export const TracePlot = memo(function TracePlot({ trace, iterations }: { trace: RdeTracePoint[]; iterations: number }) {
  const { x, left, right } = useMemo(() => {
    const last = trace.length ? trace[trace.length - 1].iteration : 1;
    return {
      x: scaleLinear().domain([0, Math.max(last, Math.min(iterations, 20))]).range([M.left, W - M.right]),
      left: logScale(trace.flatMap((r) => [r.distortion, r.objective]), [H - M.bottom, M.top]),
      right: linearScale(trace.map((r) => r.rate), 0.05, [H - M.bottom, M.top]),
    };
  }, [trace, iterations]);
  const series = [
    { key: 'objective', label: 'F(s)', className: 'line-objective', path: linePath(trace.map((r) => [x(r.iteration), left.scale(r.objective)])) },
    { key: 'distortion', label: 'D(s)', className: 'line-distortion', path: linePath(trace.map((r) => [x(r.iteration), left.scale(r.distortion)])) },
    { key: 'rate', label: 'rate ‖s‖₁/d (right axis)', className: 'line-rate', path: linePath(trace.map((r) => [x(r.iteration), right.scale(r.rate)])) },
  ];
  const last = trace[trace.length - 1];
  return (
    <figure className="plot" data-testid="rde-trace">
      <svg width={W} height={H} role="img"
        aria-label={last ? `Trace of ${trace.length} iterations: D ${formatNumber(last.distortion)}, rate ${formatNumber(last.rate)}, F ${formatNumber(last.objective)}` : 'Trace: no iterations yet'}>
        <Axis scale={x} side="bottom" transform={`translate(0,${H - M.bottom})`} title="iteration" />
        <Axis scale={left.scale} tickValues={left.ticks} side="left" transform={`translate(${M.left},0)`} format={formatNumber} title="D, F (logit², log scale)" />
        <Axis scale={right.scale} tickValues={right.ticks} side="right" transform={`translate(${W - M.right},0)`} format={formatNumber} title="rate" />
        {series.map((s) => <path key={s.key} d={s.path} className={s.className} data-testid={`trace-${s.key}`} />)}
      </svg>
      <figcaption className="plot-legend">
        {series.map((s) => (
          <span key={s.key}><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" className={s.className} /></svg>{s.label}</span>
        ))}
      </figcaption>
    </figure>
  );
});
