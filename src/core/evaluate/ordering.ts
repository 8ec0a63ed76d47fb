import { mulberry32 } from '../util/random';

/**
 * The components of a map from most to least relevant (by signed value, as the RDE paper's
 * relevance-ordering test sorts them), ties broken at random by a seeded key: two runs with one
 * seed give one order. A non-finite value is refused, since it has no place in an order.
 */
export function relevanceOrder(relevance: Float32Array, seed: number): Int32Array {
  const d = relevance.length;
  const rand = mulberry32(seed);
  const key = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    if (!Number.isFinite(relevance[i])) throw new Error(`The map's value at component ${i} is ${relevance[i]}; a map must be finite to be ordered.`);
    key[i] = rand();
  }
  const order = Array.from({ length: d }, (_, i) => i);
  order.sort((a, b) => (relevance[b] - relevance[a]) || (key[a] - key[b]));
  return Int32Array.from(order);
}

/**
 * k = 0, g, 2g, … ≤ maxRate·d, and ⌈maxRate·d⌉ as the last point when the grid stops short of it,
 * so the curve reaches the rate asked for (an area up to 20 % needs a point at 20 %, and 0.2·784 =
 * 156.8 is no multiple of 5). At maxRate 1 the last point is k = d: nothing randomised, D = 0.
 */
export function keptCounts(d: number, step: number, maxRate: number): number[] {
  if (!Number.isInteger(step) || step < 1) throw new Error(`The step must be a whole number ≥ 1; got ${step}.`);
  if (step > d) throw new Error(`The step g = ${step} is larger than the input's ${d} components.`);
  if (!(maxRate > 0 && maxRate <= 1)) throw new Error(`The largest rate must lie in (0, 1]; got ${maxRate}.`);
  const last = Math.min(d, Math.ceil(maxRate * d - 1e-9));
  const ks: number[] = [];
  for (let k = 0; k <= last; k += step) ks.push(k);
  if (ks[ks.length - 1] < last) ks.push(last);
  return ks;
}

/**
 * The area under a curve over rates [0, r] by the trapezoid rule, the last piece interpolated
 * linearly at r; null when the curve ends before r (it was not measured there).
 */
export function areaUpTo(rates: readonly number[], values: readonly number[], r: number): number | null {
  if (rates.length === 0 || rates[rates.length - 1] < r - 1e-12) return null;
  let area = 0;
  for (let i = 1; i < rates.length; i++) {
    const a = rates[i - 1];
    if (a >= r) break;
    const b = Math.min(rates[i], r);
    const vb = rates[i] <= r ? values[i] : values[i - 1] + (values[i] - values[i - 1]) * (r - a) / (rates[i] - a);
    area += (b - a) * (values[i - 1] + vb) / 2;
  }
  return area;
}
