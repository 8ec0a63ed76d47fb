import { enforceConnectivity } from './connectivity';

/**
 * SLIC superpixels (Achanta et al., "SLIC Superpixels Compared to State-of-the-Art Superpixel
 * Methods", 2012) for grayscale or RGB images, the players of the Shapley family and LIME
 * (METHODS.md 5). Deterministic: no random initialisation, ties go to the earlier centre.
 *
 * Distance of pixel p to centre k: D² = d_c² + (compactness · d_s / S)², with d_c the Euclidean
 * distance of the colours after scaling the image to [0, 1] by its own range (so compactness means
 * the same on any input range; RGB is used as is, not converted to Lab), d_s the pixel distance and
 * S the grid interval. Compactness 1: one grid interval weighs as much as the full colour range.
 */
export interface SlicOptions {
  /** Requested number of segments; the result has about this many. */
  segments: number;
  /** Weight of space against colour (see above); larger gives squarer segments. */
  compactness: number;
  /** k-means iterations (the paper finds 10 enough). */
  iterations?: number;
}

export interface Segmentation {
  /** Segment id per pixel, row-major h*w, ids 0..count-1. */
  labels: Int32Array;
  count: number;
}

interface Centre { y: number; x: number; colour: Float64Array }

/** Pixel values scaled to [0, 1] by the image's range (a constant image becomes all 0). */
function normalisedColours(pixels: Float32Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of pixels) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi > lo ? hi - lo : 1;
  return Float64Array.from(pixels, (v) => (v - lo) / range);
}

/** Centres on a regular grid of about `segments` cells, ny rows by nx columns in proportion to h:w. */
function gridCentres(colours: Float64Array, [h, w, c]: [number, number, number], segments: number): Centre[] {
  const ny = Math.min(h, Math.max(1, Math.round(Math.sqrt((segments * h) / w))));
  const nx = Math.min(w, Math.max(1, Math.round(segments / ny)));
  const centres: Centre[] = [];
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      const y = Math.floor(((i + 0.5) * h) / ny);
      const x = Math.floor(((j + 0.5) * w) / nx);
      centres.push({ y, x, colour: colours.slice((y * w + x) * c, (y * w + x + 1) * c) });
    }
  }
  return centres;
}

function colourGradient(colours: Float64Array, [h, w, c]: [number, number, number], y: number, x: number): number {
  let g = 0;
  for (let ch = 0; ch < c; ch++) {
    const at = (yy: number, xx: number) => colours[(Math.min(h - 1, Math.max(0, yy)) * w + Math.min(w - 1, Math.max(0, xx))) * c + ch];
    g += (at(y, x + 1) - at(y, x - 1)) ** 2 + (at(y + 1, x) - at(y - 1, x)) ** 2;
  }
  return g;
}

/** The paper's seeding step: move each centre to the lowest-gradient pixel of its 3x3 neighbourhood, off edges. */
function moveToLowGradient(centre: Centre, colours: Float64Array, shape: [number, number, number]): void {
  const [h, w, c] = shape;
  let best = colourGradient(colours, shape, centre.y, centre.x);
  let by = centre.y;
  let bx = centre.x;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const y = centre.y + dy;
      const x = centre.x + dx;
      if (y < 0 || y >= h || x < 0 || x >= w) continue;
      const g = colourGradient(colours, shape, y, x);
      if (g < best) {
        best = g;
        by = y;
        bx = x;
      }
    }
  }
  centre.y = by;
  centre.x = bx;
  centre.colour = colours.slice((by * w + bx) * c, (by * w + bx + 1) * c);
}

/** D² = d_c² + (compactness/S)² d_s² between a centre and pixel (y, x). */
function distanceSquared(centre: Centre, colours: Float64Array, c: number, at: number, y: number, x: number, spatialWeight: number): number {
  let d = spatialWeight * ((y - centre.y) ** 2 + (x - centre.x) ** 2);
  for (let ch = 0; ch < c; ch++) d += (colours[at * c + ch] - centre.colour[ch]) ** 2;
  return d;
}

/** One k-means assignment: each centre claims the pixels in its ±S window that are closer to it than to any earlier claim. */
function assign(centres: Centre[], colours: Float64Array, [h, w, c]: [number, number, number], interval: number, spatialWeight: number): Int32Array {
  const labels = new Int32Array(h * w).fill(-1);
  const best = new Float64Array(h * w).fill(Infinity);
  const reach = Math.ceil(interval);
  centres.forEach((centre, k) => {
    const cy = Math.round(centre.y);
    const cx = Math.round(centre.x);
    for (let y = Math.max(0, cy - reach); y <= Math.min(h - 1, cy + reach); y++) {
      for (let x = Math.max(0, cx - reach); x <= Math.min(w - 1, cx + reach); x++) {
        const at = y * w + x;
        const d = distanceSquared(centre, colours, c, at, y, x, spatialWeight);
        if (d < best[at]) {
          best[at] = d;
          labels[at] = k;
        }
      }
    }
  });
  // A pixel no window reached (centres drift) goes to the nearest centre overall.
  for (let at = 0; at < h * w; at++) {
    if (labels[at] >= 0) continue;
    const y = Math.floor(at / w);
    const x = at - y * w;
    centres.forEach((centre, k) => {
      const d = distanceSquared(centre, colours, c, at, y, x, spatialWeight);
      if (d < best[at]) {
        best[at] = d;
        labels[at] = k;
      }
    });
  }
  return labels;
}

/** The k-means update: each centre moves to the mean position and colour of its pixels (an empty one stays). */
function update(centres: Centre[], labels: Int32Array, colours: Float64Array, [h, w, c]: [number, number, number]): void {
  const sums = centres.map(() => ({ n: 0, y: 0, x: 0, colour: new Float64Array(c) }));
  for (let at = 0; at < h * w; at++) {
    const s = sums[labels[at]];
    s.n += 1;
    s.y += Math.floor(at / w);
    s.x += at % w;
    for (let ch = 0; ch < c; ch++) s.colour[ch] += colours[at * c + ch];
  }
  centres.forEach((centre, k) => {
    const s = sums[k];
    if (s.n === 0) return;
    centre.y = s.y / s.n;
    centre.x = s.x / s.n;
    centre.colour = s.colour.map((v) => v / s.n);
  });
}

/**
 * SLIC of an [h, w, c] image (row-major, channels last). Each segment is one 4-connected region:
 * pieces below half the mean segment size join a neighbour (see enforceConnectivity).
 */
export function slic(pixels: Float32Array, shape: [number, number, number], options: SlicOptions): Segmentation {
  const [h, w, c] = shape;
  if (pixels.length !== h * w * c) throw new Error(`The image holds ${pixels.length} values, not ${h} x ${w} x ${c}.`);
  if (!Number.isInteger(options.segments) || options.segments < 1) throw new Error(`SLIC needs a whole number of segments ≥ 1; got ${options.segments}.`);
  if (!(options.compactness > 0)) throw new Error(`SLIC compactness must be > 0; got ${options.compactness}.`);
  const colours = normalisedColours(pixels);
  const centres = gridCentres(colours, shape, options.segments);
  for (const centre of centres) moveToLowGradient(centre, colours, shape);
  const interval = Math.sqrt((h * w) / centres.length);
  const spatialWeight = (options.compactness / interval) ** 2;
  let labels = assign(centres, colours, shape, interval, spatialWeight);
  for (let it = 1; it < (options.iterations ?? 10); it++) {
    update(centres, labels, colours, shape);
    labels = assign(centres, colours, shape, interval, spatialWeight);
  }
  return enforceConnectivity(labels, h, w, Math.floor((0.5 * h * w) / centres.length));
}
