import { useEffect, useRef } from 'react';
import { axisBottom, axisLeft, axisRight } from 'd3-axis';
import { select } from 'd3-selection';
import type { ScaleLinear } from 'd3-scale';

/** A d3 axis drawn into an SVG group, redrawn when its scale changes. */
export function Axis({ scale, side, transform, ticks = 5, format }: {
  scale: ScaleLinear<number, number>;
  side: 'bottom' | 'left' | 'right';
  transform?: string;
  ticks?: number;
  format?: (v: number) => string;
}) {
  const ref = useRef<SVGGElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const make = side === 'bottom' ? axisBottom : side === 'left' ? axisLeft : axisRight;
    const axis = make(scale).ticks(ticks);
    if (format) axis.tickFormat((v) => format(Number(v)));
    select(ref.current).call(axis);
  }, [scale, side, ticks, format]);
  return <g ref={ref} className="axis" transform={transform} />;
}

/** An SVG path through the points, skipping non-finite values. */
export function linePath(points: Array<[number, number]>): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** Numbers for axes and tooltips: 3 significant digits, exponent beyond 1e4 or below 1e-2. */
export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-2 ? v.toExponential(1) : Number(v.toPrecision(3)).toString();
}
