// How alike two relevance maps are (the sanity check's measures, Adebayo et al. 2018): Spearman's
// rank correlation and SSIM. Plain arithmetic on Float32Arrays in float64, no tensors.

type Numbers = ArrayLike<number>;

function checkFinite(a: Numbers, name: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error(`${name} has a non-finite value (${a[i]}) at index ${i}.`);
  }
}

function checkSameLength(a: Numbers, b: Numbers): void {
  if (a.length !== b.length) throw new Error(`The maps differ in length: ${a.length} and ${b.length}.`);
  if (a.length === 0) throw new Error('The maps are empty.');
}

/** Whether every value of `a` is the same (a map that ranks nothing above anything else). */
export function isConstant(a: Numbers): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return false;
  return true;
}

/**
 * Ranks 1..n of the values, ties given the average of the ranks they span (the "fractional"
 * ranking scipy.stats.rankdata uses by default).
 */
export function averageRanks(a: Numbers): Float64Array {
  const n = a.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i] - a[j]);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && a[order[end]] === a[order[start]]) end++;
    // Positions start..end-1 hold equal values: ranks start+1..end, averaged.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

function pearson(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Spearman's rank correlation: Pearson's correlation of the average ranks (ties share the mean of
 * their ranks), in [−1, 1].
 *
 * Convention: when either map is constant its ranks have no variance and the coefficient is
 * undefined (0/0); we return 0, "no monotone relation measurable", never NaN. Call `isConstant`
 * to tell that case from a measured 0. Non-finite values are refused with the index named.
 */
export function spearman(a: Numbers, b: Numbers): number {
  checkSameLength(a, b);
  checkFinite(a, 'The first map');
  checkFinite(b, 'The second map');
  if (isConstant(a) || isConstant(b)) return 0;
  const r = pearson(averageRanks(a), averageRanks(b));
  // Rounding can push |r| a hair past 1 for identical rankings.
  return Math.max(-1, Math.min(1, r));
}

/**
 * The map rescaled to [0, 1] by its own minimum and maximum, in float64. A constant map (max =
 * min) becomes all zeros: it has no structure to rescale.
 */
export function minMaxNormalise(a: Numbers): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    if (a[i] < lo) lo = a[i];
    if (a[i] > hi) hi = a[i];
  }
  const out = new Float64Array(a.length);
  const span = hi - lo;
  if (span > 0) for (let i = 0; i < a.length; i++) out[i] = (a[i] - lo) / span;
  return out;
}

/** SSIM's settings: skimage.metrics.structural_similarity's defaults with data_range = 1. */
export const SSIM_SETTINGS = { window: 7, k1: 0.01, k2: 0.03, dataRange: 1 } as const;

/**
 * The side of the square window used on a height × width map: 7 (skimage's default), or the
 * largest odd side that fits when the map is smaller than 7 in either direction. Below 3 SSIM is
 * refused: a 1-pixel window has no sample variance.
 */
export function ssimWindow(height: number, width: number): number {
  let w: number = Math.min(SSIM_SETTINGS.window, height, width);
  if (w % 2 === 0) w -= 1;
  if (w < 3) throw new Error(`SSIM needs a map at least 3 × 3; this one is ${height} × ${width}.`);
  return w;
}

/** Inclusive prefix sums over a height × width plane, padded by one zero row and column. */
function integral(plane: Float64Array, height: number, width: number): Float64Array {
  const s = new Float64Array((height + 1) * (width + 1));
  for (let r = 0; r < height; r++) {
    let row = 0;
    for (let c = 0; c < width; c++) {
      row += plane[r * width + c];
      s[(r + 1) * (width + 1) + c + 1] = s[r * (width + 1) + c + 1] + row;
    }
  }
  return s;
}

function boxSum(s: Float64Array, width: number, r: number, c: number, w: number): number {
  const W = width + 1;
  return s[(r + w) * W + c + w] - s[r * W + c + w] - s[(r + w) * W + c] + s[r * W + c];
}

/**
 * Structural similarity of two relevance maps (NHWC order, height × width × channels values),
 * each first rescaled to [0, 1] by its own min and max (`minMaxNormalise`), as
 * skimage.metrics.structural_similarity(a, b, data_range=1, channel_axis=-1) computes it: a
 * 7 × 7 uniform window (`ssimWindow`), sample (N − 1) variances and covariance, K1 = 0.01,
 * K2 = 0.03, C1 = (K1·1)², C2 = (K2·1)², the SSIM of every window lying wholly inside the map
 * averaged (skimage's crop of (7 − 1)/2 pixels from each border), then channels averaged.
 * Identical maps give 1; two constant maps 1 (both normalise to zeros).
 */
export function ssim(a: Numbers, b: Numbers, height: number, width: number, channels: number): number {
  checkSameLength(a, b);
  if (a.length !== height * width * channels) {
    throw new Error(`The maps have ${a.length} values, not ${height} × ${width} × ${channels}.`);
  }
  checkFinite(a, 'The first map');
  checkFinite(b, 'The second map');
  const w = ssimWindow(height, width);
  const np = w * w;
  const covNorm = np / (np - 1);
  const c1 = (SSIM_SETTINGS.k1 * SSIM_SETTINGS.dataRange) ** 2;
  const c2 = (SSIM_SETTINGS.k2 * SSIM_SETTINGS.dataRange) ** 2;
  const x = minMaxNormalise(a);
  const y = minMaxNormalise(b);
  const plane = height * width;
  const px = new Float64Array(plane);
  const py = new Float64Array(plane);
  const pxx = new Float64Array(plane);
  const pyy = new Float64Array(plane);
  const pxy = new Float64Array(plane);
  let total = 0;
  for (let ch = 0; ch < channels; ch++) {
    for (let i = 0; i < plane; i++) {
      const u = x[i * channels + ch];
      const v = y[i * channels + ch];
      px[i] = u;
      py[i] = v;
      pxx[i] = u * u;
      pyy[i] = v * v;
      pxy[i] = u * v;
    }
    const [sx, sy, sxx, syy, sxy] = [px, py, pxx, pyy, pxy].map((p) => integral(p, height, width));
    let sum = 0;
    let count = 0;
    for (let r = 0; r + w <= height; r++) {
      for (let c = 0; c + w <= width; c++) {
        const mx = boxSum(sx, width, r, c, w) / np;
        const my = boxSum(sy, width, r, c, w) / np;
        // Clamp the tiny negatives cancellation leaves where a window is flat.
        const vx = Math.max(0, covNorm * (boxSum(sxx, width, r, c, w) / np - mx * mx));
        const vy = Math.max(0, covNorm * (boxSum(syy, width, r, c, w) / np - my * my));
        const vxy = covNorm * (boxSum(sxy, width, r, c, w) / np - mx * my);
        sum += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        count++;
      }
    }
    total += sum / count;
  }
  return total / channels;
}
