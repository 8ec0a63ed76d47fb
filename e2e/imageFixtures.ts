// Image files made on the fly for the intake tests (PNG, animated PNG, SVG, huge PNG),
// so no binary fixtures sit in the repository.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v, i * 4));
  return b;
}

/** Compressed 8-bit gray scanlines; `row(y, out)` fills one row of gray values. */
function grayData(width: number, height: number, row: (y: number, out: Buffer) => void): Buffer {
  const raw = Buffer.alloc((width + 1) * height);
  const line = Buffer.alloc(width);
  for (let y = 0; y < height; y++) {
    row(y, line);
    raw[y * (width + 1)] = 0;
    line.copy(raw, y * (width + 1) + 1);
  }
  return deflateSync(raw, { level: 1 });
}

function ihdr(width: number, height: number): Buffer {
  return pngChunk('IHDR', Buffer.concat([u32(width, height), Buffer.from([8, 0, 0, 0, 0])]));
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A black vertical bar (a "1") on white, at any size. */
export function barPng(width: number, height: number): Buffer {
  const x0 = Math.floor(width * 0.45);
  const x1 = Math.floor(width * 0.55);
  const y0 = Math.floor(height * 0.15);
  const y1 = Math.floor(height * 0.85);
  const data = grayData(width, height, (y, out) => {
    out.fill(255);
    if (y >= y0 && y < y1) out.fill(0, x0, x1);
  });
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height), pngChunk('IDAT', data), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A two-frame animated PNG: frame 1 a bar, frame 2 blank. */
export function animatedPng(size = 64): Buffer {
  const frame1 = grayData(size, size, (y, out) => {
    out.fill(255);
    if (y > size * 0.15 && y < size * 0.85) out.fill(0, Math.floor(size * 0.45), Math.floor(size * 0.55));
  });
  const frame2 = grayData(size, size, (_y, out) => out.fill(255));
  const fctl = (seq: number) => pngChunk('fcTL', Buffer.concat([u32(seq, size, size, 0, 0), Buffer.from([0, 50, 0, 100, 0, 0])]));
  return Buffer.concat([
    PNG_SIGNATURE, ihdr(size, size), pngChunk('acTL', u32(2, 0)),
    fctl(0), pngChunk('IDAT', frame1),
    fctl(1), pngChunk('fdAT', Buffer.concat([u32(2), frame2])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export const SEVEN_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">
<rect width="200" height="200" fill="#fff"/>
<path d="M45 40 H155 L85 175" stroke="#000" stroke-width="20" fill="none" stroke-linejoin="round"/>
</svg>`;
