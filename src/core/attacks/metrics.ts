// How far an attack moved a map (METHODS.md 6; Ghorbani et al. 2019): top-k intersection, Spearman
// rank correlation, centre-of-mass shift in pixels and SSIM, all on the per-pixel magnitude
// Σ_c |R| of flat NHWC maps. Plain arithmetic in float64, no tensors.
import { spearman, ssim } from '../evaluate/similarity';

/** [height, width, channels] of one input (NHWC without the batch axis). */
export type MapShape = [number, number, number];

/** A map's per-pixel magnitude Σ_c |R[y, x, c]|, row-major h × w: the feature importance the metrics compare. */
export function pixelMagnitude(map: ArrayLike<number>, shape: MapShape): Float64Array {
  const [h, w, c] = shape;
  if (map.length !== h * w * c) throw new Error(`The map has ${map.length} values, not ${h} × ${w} × ${c}.`);
  const m = new Float64Array(h * w);
  for (let p = 0; p < h * w; p++) {
    let s = 0;
    for (let ch = 0; ch < c; ch++) s += Math.abs(map[p * c + ch]);
    m[p] = s;
  }
  return m;
}

/** The default k of the top-k measures: 10 % of the pixels, rounded (78 of MNIST's 784), at least 1. */
export function defaultTopK(pixels: number): number {
  return Math.max(1, Math.round(0.1 * pixels));
}

/**
 * The indices of the k largest values, largest first; ties go to the lower index (a stable
 * order, so the same map always gives the same set).
 */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  if (!Number.isInteger(k) || k < 1 || k > values.length) {
    throw new Error(`k must be a whole number from 1 to ${values.length} (the number of pixels); got ${k}.`);
  }
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((i, j) => (values[j] - values[i]) || (i - j));
  return order.slice(0, k);
}

/** The fraction of the original map's top-k pixels (by magnitude) that are still in the attacked map's top-k. */
export function topKIntersection(before: ArrayLike<number>, after: ArrayLike<number>, k: number): number {
  if (before.length !== after.length) throw new Error(`The maps differ in length: ${before.length} and ${after.length}.`);
  const a = new Set(topKIndices(before, k));
  let common = 0;
  for (const i of topKIndices(after, k)) if (a.has(i)) common++;
  return common / k;
}

/**
 * The centre of mass of a non-negative h × w map, (row, col) in pixel coordinates (pixel centres
 * at integer positions, 0-based). A map with no mass (all zeros) has its centre at the middle of
 * the image, ((h − 1)/2, (w − 1)/2): no pixel pulls it anywhere.
 */
export function centreOfMass(mass: ArrayLike<number>, height: number, width: number): { row: number; col: number } {
  if (mass.length !== height * width) throw new Error(`The map has ${mass.length} values, not ${height} × ${width}.`);
  let total = 0;
  let row = 0;
  let col = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v = mass[r * width + c];
      if (v < 0) throw new Error(`The centre of mass needs a non-negative map; pixel (${r}, ${c}) is ${v}.`);
      total += v;
      row += v * r;
      col += v * c;
    }
  }
  if (total === 0) return { row: (height - 1) / 2, col: (width - 1) / 2 };
  return { row: row / total, col: col / total };
}

/** The Euclidean distance in pixels between the centres of mass of two magnitude maps. */
export function massCentreShift(before: ArrayLike<number>, after: ArrayLike<number>, height: number, width: number): number {
  const a = centreOfMass(before, height, width);
  const b = centreOfMass(after, height, width);
  return Math.hypot(a.row - b.row, a.col - b.col);
}

export interface MapComparison {
  /** Fraction of the original top-k pixels still in the top-k, in [0, 1]; 1: unmoved. */
  topkIntersection: number;
  /** Spearman rank correlation of the pixel magnitudes (ties: average ranks), in [−1, 1]. */
  spearman: number;
  /** How far the centre of mass of |R| moved, in pixels. */
  massCentreShift: number;
  /** Structural similarity of the pixel magnitudes (each min–max scaled to [0, 1]); 1: identical. Null on maps under 3 × 3. */
  ssim: number | null;
}

/** Every measure between the map before and after, both flat NHWC of `shape`, on their pixel magnitudes. */
export function compareMaps(before: ArrayLike<number>, after: ArrayLike<number>, shape: MapShape, k: number): MapComparison {
  const [h, w] = shape;
  const a = pixelMagnitude(before, shape);
  const b = pixelMagnitude(after, shape);
  return {
    topkIntersection: topKIntersection(a, b, k),
    spearman: spearman(a, b),
    massCentreShift: massCentreShift(a, b, h, w),
    // SSIM's 7 × 7 window needs a map at least 3 × 3; a smaller one has no structure to compare.
    ssim: Math.min(h, w) >= 3 ? ssim(a, b, h, w, 1) : null,
  };
}
