import { useLayoutEffect, useRef, useState } from 'react';
import { axisBottom, axisLeft, axisRight } from 'd3-axis';
import { select } from 'd3-selection';
import type { ScaleContinuousNumeric } from 'd3-scale';

/** Space between the tick labels and the axis title (px). */
const TITLE_GAP = 6;

/**
 * A d3 axis drawn into an SVG group, redrawn when its scale changes, with its title placed
 * beyond the widest tick label (measured), so labels and title never overlap. `tickValues`
 * fixes the ticks (an empty list draws the axis line alone: a plot without data has no scale
 * to show).
 */
export function Axis({ scale, side, transform, ticks = 5, tickValues, format, title }: {
  scale: ScaleContinuousNumeric<number, number>;
  side: 'bottom' | 'left' | 'right';
  transform?: string;
  ticks?: number;
  tickValues?: number[];
  format?: (v: number) => string;
  title?: string;
}) {
  const ref = useRef<SVGGElement>(null);
  const [extent, setExtent] = useState(0);
  useLayoutEffect(() => {
    if (!ref.current) return;
    const make = side === 'bottom' ? axisBottom : side === 'left' ? axisLeft : axisRight;
    const axis = make(scale).ticks(ticks);
    if (tickValues) axis.tickValues(tickValues);
    if (format) axis.tickFormat((v) => format(Number(v)));
    select(ref.current).call(axis);
    const box = ref.current.getBBox();
    setExtent(side === 'bottom' ? box.height : box.width);
  }, [scale, side, ticks, tickValues, format]);
  const [a, b] = scale.range();
  const middle = (a + b) / 2;
  const offset = extent + TITLE_GAP;
  const titleTransform = side === 'bottom' ? `translate(${middle},${offset})`
    : side === 'left' ? `translate(${-offset},${middle}) rotate(-90)` : `translate(${offset},${middle}) rotate(90)`;
  return (
    <g transform={transform}>
      <g ref={ref} className="axis" />
      {title ? (
        // The title's edge toward the axis sits at the offset; the text extends away from it.
        <text className="axis-label" transform={titleTransform} textAnchor="middle"
          dominantBaseline={side === 'bottom' ? 'text-before-edge' : 'text-after-edge'}>{title}</text>
      ) : null}
    </g>
  );
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
