import { memo, useMemo } from 'react';
import { scaleLinear } from 'd3-scale';
import type { RdeTracePoint } from '../../store/rdeSlice';
import { Axis, formatNumber, linePath } from './Axis';

const W = 460;
const H = 260;
const M = { top: 16, right: 64, bottom: 48, left: 64 };

/**
 * D(s), the objective F and the rate ‖s‖₁/d against iteration, streaming while a run goes.
 * D and F share the left axis (squared logit units); the rate has its own axis on the right.
 */
export const TracePlot = memo(function TracePlot({ trace, iterations }: { trace: RdeTracePoint[]; iterations: number }) {
  const { x, left, right } = useMemo(() => {
    const last = trace.length ? trace[trace.length - 1].iteration : 1;
    const top = Math.max(1e-9, ...trace.map((r) => Math.max(r.distortion, r.objective)));
    const rateTop = Math.max(0.05, ...trace.map((r) => r.rate));
    return {
      x: scaleLinear().domain([0, Math.max(last, Math.min(iterations, 20))]).range([M.left, W - M.right]),
      left: scaleLinear().domain([0, top]).nice().range([H - M.bottom, M.top]),
      right: scaleLinear().domain([0, rateTop]).nice().range([H - M.bottom, M.top]),
    };
  }, [trace, iterations]);
  const series = [
    { key: 'objective', label: 'F(s)', className: 'line-objective', path: linePath(trace.map((r) => [x(r.iteration), left(r.objective)])) },
    { key: 'distortion', label: 'D(s)', className: 'line-distortion', path: linePath(trace.map((r) => [x(r.iteration), left(r.distortion)])) },
    { key: 'rate', label: 'rate ‖s‖₁/d (right axis)', className: 'line-rate', path: linePath(trace.map((r) => [x(r.iteration), right(r.rate)])) },
  ];
  const last = trace[trace.length - 1];
  return (
    <figure className="plot" data-testid="rde-trace">
      <svg width={W} height={H} role="img"
        aria-label={last ? `Trace of ${trace.length} iterations: D ${formatNumber(last.distortion)}, rate ${formatNumber(last.rate)}, F ${formatNumber(last.objective)}` : 'Trace: no iterations yet'}>
        <Axis scale={x} side="bottom" transform={`translate(0,${H - M.bottom})`} />
        <Axis scale={left} side="left" transform={`translate(${M.left},0)`} format={formatNumber} />
        <Axis scale={right} side="right" transform={`translate(${W - M.right},0)`} format={formatNumber} />
        <text className="axis-label" x={(M.left + W - M.right) / 2} y={H - 8} textAnchor="middle">iteration</text>
        <text className="axis-label" transform={`translate(16,${(H - M.bottom + M.top) / 2}) rotate(-90)`} textAnchor="middle">D, F (logit²)</text>
        <text className="axis-label" transform={`translate(${W - 12},${(H - M.bottom + M.top) / 2}) rotate(90)`} textAnchor="middle">rate</text>
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
