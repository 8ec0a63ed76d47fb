// Turns a dropped, chosen or pasted file into RGBA pixels the worker can preprocess.
// Decoding is the browser's job; this file only guards its edges (empty, not an image,
// animated, SVG, huge).
import type { RawImage } from '../core/image/rawImage';
import { imageSize } from 'image-size';
import { MAX_SVG_BYTES, svgProblem } from './svgSafety';

/** Larger images are scaled down on decode: a digit needs no more, and memory stays bounded. */
export const MAX_DECODE_SIDE = 1024;

/**
 * Images declaring more pixels are refused before decoding: a few kilobytes of PNG can declare
 * gigabytes of pixels (a decompression bomb), and the browser's decoder either gives up with no
 * reason or takes seconds and a gigabyte to do it.
 */
export const MAX_DECODE_MEGAPIXELS = 100;

/** The size an image file declares in its header (PNG, JPEG, GIF, WebP, BMP, …), if readable. */
async function declaredSize(file: Blob): Promise<{ width: number; height: number } | null> {
  try {
    const { width, height } = imageSize(new Uint8Array(await file.slice(0, 1 << 20).arrayBuffer()));
    return width && height ? { width, height } : null;
  } catch {
    return null;
  }
}

export interface DecodedImage {
  raw: RawImage;
  previewUrl: string;
  notes: string[];
}

interface ImageDecoderLike {
  tracks: { ready: Promise<void>; selectedTrack: { animated: boolean; frameCount: number } | null };
  close(): void;
}
type ImageDecoderCtor = (new (init: { data: ArrayBuffer; type: string }) => ImageDecoderLike) & {
  isTypeSupported(type: string): Promise<boolean>;
};

async function isAnimated(file: Blob): Promise<boolean> {
  const Decoder = (globalThis as unknown as { ImageDecoder?: ImageDecoderCtor }).ImageDecoder;
  if (!Decoder || !/^image\/(gif|webp|png|apng|avif)$/.test(file.type)) return false;
  try {
    if (!(await Decoder.isTypeSupported(file.type))) return false;
    const decoder = new Decoder({ data: await file.arrayBuffer(), type: file.type });
    await decoder.tracks.ready;
    const animated = Boolean(decoder.tracks.selectedTrack?.animated && decoder.tracks.selectedTrack.frameCount !== 1);
    decoder.close();
    return animated;
  } catch {
    return false;
  }
}

function loadSvg(file: Blob): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      URL.revokeObjectURL(url);
      resolve(img);
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('This SVG could not be drawn.'));
    };
    img.src = url;
  });
}

function rasterise(source: CanvasImageSource, width: number, height: number): RawImage {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('This browser cannot draw images to a canvas.');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, width, height);
  let data: Uint8ClampedArray;
  try {
    data = ctx.getImageData(0, 0, width, height).data;
  } catch {
    throw new Error('The browser does not let the studio read this image\'s pixels (it draws content from elsewhere). Save it as PNG and try again.');
  }
  return { width, height, data };
}

function fit(width: number, height: number): { width: number; height: number; scaled: boolean } {
  const scale = Math.min(1, MAX_DECODE_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), scaled: scale < 1 };
}

export async function decodeImageFile(file: Blob, name: string): Promise<DecodedImage> {
  if (file.size === 0) throw new Error(`${name} is empty.`);
  const notes: string[] = [];
  const isSvg = file.type === 'image/svg+xml' || /\.svg$/i.test(name);
  if (isSvg) {
    if (file.size > MAX_SVG_BYTES) throw new Error(`${name} is an SVG of ${(file.size / 1048576).toFixed(1)} MB; the studio draws SVGs up to ${MAX_SVG_BYTES / 1048576} MB.`);
    const doc = new DOMParser().parseFromString(await file.text(), 'image/svg+xml');
    if (doc.querySelector('parsererror') || doc.documentElement.localName !== 'svg') throw new Error(`${name} is not a well-formed SVG.`);
    const problem = svgProblem(doc.documentElement);
    if (problem) throw new Error(`${name} was not drawn: ${problem}`);
    const img = await loadSvg(file);
    const natural = { width: img.naturalWidth || 280, height: img.naturalHeight || 280 };
    const size = fit(natural.width, natural.height);
    notes.push(`SVG drawn at ${size.width} x ${size.height} pixels.`);
    const raw = rasterise(img, size.width, size.height);
    return { raw, previewUrl: URL.createObjectURL(file), notes };
  }
  const declared = await declaredSize(file);
  if (declared && declared.width * declared.height > MAX_DECODE_MEGAPIXELS * 1e6) {
    throw new Error(`${name} declares ${declared.width} x ${declared.height} pixels (${(declared.width * declared.height / 1e6).toFixed(0)} megapixels); the studio reads images of up to ${MAX_DECODE_MEGAPIXELS} megapixels.`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(declared
      ? `${name} declares ${declared.width} x ${declared.height} pixels, but this browser could not decode it (damaged or unsupported data).`
      : `${name} is not an image this browser can read (PNG, JPEG, WebP, GIF, BMP, SVG are).`);
  }
  try {
    if (await isAnimated(file)) notes.push('Animated image: the first frame is used.');
    const size = fit(bitmap.width, bitmap.height);
    if (size.scaled) notes.push(`Scaled down from ${bitmap.width} x ${bitmap.height} to ${size.width} x ${size.height} pixels.`);
    const raw = rasterise(bitmap, size.width, size.height);
    const previewUrl = size.scaled ? await rawToObjectUrl(raw) : URL.createObjectURL(file);
    return { raw, previewUrl, notes };
  } finally {
    bitmap.close();
  }
}

async function rawToObjectUrl(raw: RawImage): Promise<string> {
  const canvas = new OffscreenCanvas(raw.width, raw.height);
  const ctx = canvas.getContext('2d')!;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(raw.data), raw.width, raw.height), 0, 0);
  return URL.createObjectURL(await canvas.convertToBlob({ type: 'image/png' }));
}

/** Pixels of a drawing canvas, with a PNG of it for the preview (and to keep for the next visit). */
export async function decodeCanvas(canvas: HTMLCanvasElement): Promise<DecodedImage & { blob: Blob }> {
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('Could not read the drawing.'))), 'image/png'));
  return { raw: { width: canvas.width, height: canvas.height, data }, previewUrl: URL.createObjectURL(blob), notes: [], blob };
}
