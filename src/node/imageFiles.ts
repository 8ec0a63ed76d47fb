// Decoding image files in Node for the CLI and tests: PNG via pngjs (the only format the CLI
// reads; the studio page decodes every format the browser knows).
import { PNG } from 'pngjs';
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import type { RawImage } from '../core/image/rawImage';

/**
 * The most pixels the CLI decodes. pngjs inflates the whole image into memory before anything
 * could scale it down (with the preprocessing's float planes, about 16 bytes per pixel at the
 * peak: 0.84 GB resident for 6300 x 6300 against 0.2 GB for a digit; 5 GB reported for
 * 20000 x 20000), so decoding and then downscaling would not bound memory: a bigger image is
 * refused from its header. 40 megapixels holds any camera photo; the models see 28 x 28.
 */
export const MAX_PNG_PIXELS = 40_000_000;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Signature (8), IHDR length (4), type (4), width (4), height (4). */
const HEADER_BYTES = 24;

/** Why a file could not be read, in words (for messages that name the file). */
export function whyUnreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

function notPng(path: string): Error {
  return new Error(`Image ${path} is not a PNG (the CLI reads PNG only; convert other formats first).`);
}

/**
 * Width and height from a PNG's IHDR chunk, reading only its first 24 bytes, so a missing,
 * foreign or oversized file is refused before it is read whole or decoded.
 */
export function readPngSize(path: string): { width: number; height: number } {
  const header = Buffer.alloc(HEADER_BYTES);
  let length: number;
  try {
    const fd = openSync(path, 'r');
    try {
      length = readSync(fd, header, 0, HEADER_BYTES, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new Error(`Cannot read image ${path}: ${whyUnreadable(err)}.`);
  }
  if (length === 0) throw new Error(`Image ${path} is empty.`);
  if (length < HEADER_BYTES || !header.subarray(0, 8).equals(PNG_SIGNATURE) || header.toString('latin1', 12, 16) !== 'IHDR') {
    throw notPng(path);
  }
  const width = header.readUInt32BE(16);
  const height = header.readUInt32BE(20);
  if (width === 0 || height === 0) throw new Error(`Image ${path} has no pixels (${width} x ${height}).`);
  if (width * height > MAX_PNG_PIXELS) {
    throw new Error(
      `Image ${path} is ${width} x ${height} pixels (${(width * height / 1e6).toFixed(1)} megapixels); ` +
      `the CLI decodes at most ${MAX_PNG_PIXELS / 1e6} megapixels, so scale it down first.`,
    );
  }
  return { width, height };
}

export function readPng(path: string): RawImage {
  readPngSize(path);
  const bytes = readFileSync(path);
  try {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  } catch (err) {
    throw new Error(`Image ${path} is a damaged PNG: ${err instanceof Error ? err.message : String(err)}.`);
  }
}

export function writePng(path: string, img: RawImage): void {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  writeFileSync(path, PNG.sync.write(png));
}
