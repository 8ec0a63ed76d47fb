// Decoding image files in Node for the CLI and tests: PNG via pngjs (the only format the CLI
// reads; the studio page decodes every format the browser knows).
import { PNG } from 'pngjs';
import { readFileSync, writeFileSync } from 'node:fs';
import type { RawImage } from '../core/image/rawImage';

export function readPng(path: string): RawImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new Error(`Cannot read ${path}.`);
  }
  if (bytes.length === 0) throw new Error(`${path} is empty.`);
  try {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  } catch {
    throw new Error(`${path} is not a PNG image (the CLI reads PNG; convert other formats first).`);
  }
}

export function writePng(path: string, img: RawImage): void {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  writeFileSync(path, PNG.sync.write(png));
}
