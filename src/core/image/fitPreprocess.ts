import { checkRawImage, type RawImage } from './rawImage';
import { resampleRegion } from './resample';

/**
 * Plain preprocessing for models without a special one: the whole image resized to the
 * model's height x width, as gray (1 channel) or RGB (3 channels), values in [0,1].
 * Returns NHWC pixels without the batch axis. Which shapes it can make is stated once, in
 * preprocessingProblem (core/image/preprocess.ts), checked before it is called.
 */
export function preprocessFit(img: RawImage, shape: [number, number, number]): Float32Array {
  checkRawImage(img);
  const [h, w, c] = shape;
  const n = img.width * img.height;
  const planes = c === 1 ? [new Float32Array(n)] : [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    const d = i * 4;
    const a = img.data[d + 3] / 255;
    // Transparent pixels become white, as an image viewer shows them.
    const rgb = [0, 1, 2].map((k) => (a * img.data[d + k]) / 255 + (1 - a));
    if (c === 1) planes[0][i] = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
    else for (let k = 0; k < 3; k++) planes[k][i] = rgb[k];
  }
  const region = { x: 0, y: 0, width: img.width, height: img.height };
  const resized = planes.map((p) => resampleRegion(p, img.width, img.height, region, w, h));
  const out = new Float32Array(h * w * c);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) out[i * c + k] = resized[k][i];
  return out;
}
