// The domains and ticks of the RDE plots, apart from the drawing so they can be tested in Node.
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale';

/** A y or x scale with the tick values its axis shows (none when the plot has no data). */
export interface PlotScale {
  scale: ScaleContinuousNumeric<number, number>;
  ticks: number[];
}

/** A data-less axis draws its line only: ticks of a made-up domain (0 to 1e-9) would say nothing. */
export function linearScale(values: number[], floor: number, range: [number, number], count = 5): PlotScale {
  const finite = values.filter(Number.isFinite);
  const scale = scaleLinear().domain([0, Math.max(floor, ...finite)]).nice(count).range(range);
  return { scale, ticks: finite.length ? scale.ticks(count) : [] };
}

/**
 * A log scale over the positive values: D and F of an RDE run differ by one or two orders of
 * magnitude (F = D + λ·rate term), so on one linear axis D is flattened near zero. The lowest
 * value shown is clamped to a millionth of the highest; smaller values sit on the bottom edge.
 * Ticks are the powers of ten inside the domain, or 1-2-5 steps when it spans less than two
 * decades.
 */
export function logScale(values: number[], range: [number, number]): PlotScale {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  if (!positive.length) return { scale: scaleLog().domain([0.01, 1]).range(range).clamp(true), ticks: [] };
  const top = Math.max(...positive);
  const bottom = Math.max(Math.min(...positive), top * 1e-6);
  const low = Math.floor(Math.log10(bottom));
  // Whole decades; at least one, so a constant series still has a domain.
  const decades = Math.max(1, Math.ceil(Math.log10(top)) - low);
  const lo = 10 ** low;
  const hi = 10 ** (low + decades);
  const scale = scaleLog().domain([lo, hi]).range(range).clamp(true);
  const powers = Array.from({ length: decades + 1 }, (_, k) => 10 ** (low + k));
  const ticks = decades >= 2 ? powers : powers.flatMap((p) => [p, 2 * p, 5 * p]).filter((t) => t <= hi * (1 + 1e-9));
  return { scale, ticks };
}
