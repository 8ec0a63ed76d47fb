import { checkRawImage, type RawImage } from './rawImage';
import { resampleRegion } from './resample';

export const MNIST_SIZE = 28;
/** MNIST fits each digit into a 20x20 box and puts its centre of mass at the field's centre. */
export const MNIST_BOX = 20;
/** Mean centre of mass of the training digits (row, column), measured on the mnist package: 13.99, 14.00. */
export const MNIST_CENTRE = 14;
/** Ink below this fraction of the strongest stroke is background for the crop. */
const CROP_THRESHOLD = 0.2;
/** Ink below this is set to zero: paper grain and JPEG ringing are not strokes. */
const NOISE_FLOOR = 0.08;

export type Polarity = 'dark-on-light' | 'light-on-dark';

export interface Preprocessed {
  /** 28x28 row-major, background 0, ink up to 1. */
  pixels: Float32Array;
  polarity: Polarity;
  /** The region of the source image that holds the ink. */
  crop: { x: number; y: number; width: number; height: number };
  notes: string[];
}

/** Luminance in [0,1] (Rec. 601), composited over a background chosen to contrast with the ink. */
function grayscale(img: RawImage): { gray: Float32Array; transparent: boolean } {
  const n = img.width * img.height;
  const lum = new Float32Array(n);
  const alpha = new Float32Array(n);
  let transparent = false;
  let opaqueLum = 0;
  let opaque = 0;
  for (let i = 0; i < n; i++) {
    const d = i * 4;
    lum[i] = (0.299 * img.data[d] + 0.587 * img.data[d + 1] + 0.114 * img.data[d + 2]) / 255;
    alpha[i] = img.data[d + 3] / 255;
    if (alpha[i] < 0.98) transparent = true;
    opaqueLum += alpha[i] * lum[i];
    opaque += alpha[i];
  }
  if (!transparent) return { gray: lum, transparent };
  // Transparent pixels are background: put them on white under dark strokes, black under light ones.
  const under = opaque > 0 && opaqueLum / opaque > 0.5 ? 0 : 1;
  for (let i = 0; i < n; i++) lum[i] = alpha[i] * lum[i] + (1 - alpha[i]) * under;
  return { gray: lum, transparent };
}

function borderMedian(gray: Float32Array, w: number, h: number): number {
  const values: number[] = [];
  for (let x = 0; x < w; x++) values.push(gray[x], gray[(h - 1) * w + x]);
  for (let y = 1; y < h - 1; y++) values.push(gray[y * w], gray[y * w + w - 1]);
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

/**
 * MNIST-style preprocessing: grayscale, polarity (ink becomes 1 on a 0 background), crop to
 * the ink, fit into 20x20 keeping the aspect ratio, then centre by mass in 28x28 — the way the
 * MNIST digits themselves were made, so drawn and photographed digits look like the training data.
 */
export function preprocessMnist(img: RawImage): Preprocessed {
  checkRawImage(img);
  const { width: w, height: h } = img;
  const notes: string[] = [];
  const { gray, transparent } = grayscale(img);
  if (transparent) notes.push('Transparent pixels were treated as background.');
  const background = borderMedian(gray, w, h);
  const polarity: Polarity = background > 0.5 ? 'dark-on-light' : 'light-on-dark';
  const ink = new Float32Array(w * h);
  const bgInk = polarity === 'dark-on-light' ? 1 - background : background;
  let maxInk = 0;
  for (let i = 0; i < ink.length; i++) {
    ink[i] = polarity === 'dark-on-light' ? 1 - gray[i] : gray[i];
    if (ink[i] > maxInk) maxInk = ink[i];
  }
  const range = maxInk - bgInk;
  if (range < 0.1) throw new Error('No digit found: the image is blank or has too little contrast.');
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const v = Math.min(1, Math.max(0, (ink[i] - bgInk) / range));
      ink[i] = v < NOISE_FLOOR ? 0 : v;
      if (v > CROP_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const crop = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  const scale = MNIST_BOX / Math.max(crop.width, crop.height);
  const boxW = Math.max(1, Math.round(crop.width * scale));
  const boxH = Math.max(1, Math.round(crop.height * scale));
  const box = resampleRegion(ink, w, h, crop, boxW, boxH);
  return { pixels: centreByMass(box, boxW, boxH), polarity, crop, notes };
}

/** Places a box in the 28x28 field so that its centre of mass lands on MNIST_CENTRE. */
function centreByMass(box: Float32Array, boxW: number, boxH: number): Float32Array {
  let mass = 0, my = 0, mx = 0;
  for (let y = 0; y < boxH; y++) {
    for (let x = 0; x < boxW; x++) {
      const v = box[y * boxW + x];
      mass += v;
      my += v * y;
      mx += v * x;
    }
  }
  const place = (com: number, size: number) => {
    const offset = Math.round(MNIST_CENTRE - com);
    return Math.min(MNIST_SIZE - size, Math.max(0, offset));
  };
  const oy = place(mass > 0 ? my / mass : boxH / 2, boxH);
  const ox = place(mass > 0 ? mx / mass : boxW / 2, boxW);
  const out = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  for (let y = 0; y < boxH; y++) {
    for (let x = 0; x < boxW; x++) out[(y + oy) * MNIST_SIZE + x + ox] = Math.min(1, box[y * boxW + x]);
  }
  return out;
}
