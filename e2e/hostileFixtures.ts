// The hostile-input battery's tools (issue 9, "A battery in the repository"): hostile files made
// on the fly (no binary fixtures in the repository), edited copies of the built-in model, and one
// studio page shared by the battery's tests, so a case costs seconds rather than a page load.
import { readFileSync } from 'node:fs';
import { createDeflate, deflateSync } from 'node:zlib';
import { test as base, type Page } from '@playwright/test';
import { expect, expectNoProblems, panelFixtures, studioPage, watchPage, type StudioFixtures, type StudioPage } from './studio';
import { PNG_SIGNATURE, pngChunk } from './imageFixtures';

// ---------------------------------------------------------------------------------------------
// PNG

function ihdr(width: number, height: number, bitDepth: 8 | 16): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b[8] = bitDepth; // colour type 0 (gray), deflate, no filter method, no interlace
  return pngChunk('IHDR', b);
}

/** True where a vertical bar (a "1") is drawn, on a white ground. */
function onBar(x: number, y: number, width: number, height: number): boolean {
  return x >= width * 0.4 && x < width * 0.6 && y >= height * 0.15 && y < height * 0.85;
}

/** A gray PNG of a bar, 8 or 16 bits a sample. */
export function grayBarPng(width: number, height: number, bitDepth: 8 | 16 = 8): Buffer {
  const bytes = bitDepth / 8;
  const stride = width * bytes + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = onBar(x, y, width, height) ? 0 : 255;
      raw.fill(v, y * stride + 1 + x * bytes, y * stride + 1 + (x + 1) * bytes);
    }
  }
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height, bitDepth), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** The same PNG with its header claiming another size (the CRC is right, so only the size lies). */
export function lyingHeaderPng(claimedWidth: number, claimedHeight: number): Buffer {
  const real = grayBarPng(64, 64);
  const header = ihdr(claimedWidth, claimedHeight, 8);
  return Buffer.concat([real.subarray(0, 8), header, real.subarray(8 + header.length)]);
}

/**
 * A decompression bomb: a PNG declaring side x side gray pixels, all zero, which deflate
 * squeezes ~230 : 1 (30000 x 30000: 900 MB of pixels, 3.6 GB as RGBA, in a 3.9 MB file).
 */
export async function bombPng(side: number): Promise<Buffer> {
  const rowsPerWrite = Math.max(1, Math.floor(8e6 / (side + 1)));
  const block = Buffer.alloc((side + 1) * rowsPerWrite);
  const deflate = createDeflate({ level: 1 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  for (let left = side; left > 0;) {
    const n = Math.min(rowsPerWrite, left);
    left -= n;
    if (!deflate.write(block.subarray(0, n * (side + 1)))) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await ended;
  return Buffer.concat([PNG_SIGNATURE, ihdr(side, side, 8), pngChunk('IDAT', Buffer.concat(parts)), pngChunk('IEND', Buffer.alloc(0))]);
}

// ---------------------------------------------------------------------------------------------
// GIF

/**
 * A two-frame animated GIF (frame 1 a bar, frame 2 blank), two colours. The LZW stream sends
 * every pixel as a literal and a clear code after every two, so all codes are 3 bits wide.
 */
export function animatedGif(size = 64): Buffer {
  const u16 = (v: number) => [v & 0xff, v >> 8];
  const frame = (pixel: (x: number, y: number) => number) => {
    const codes: number[] = [];
    for (let i = 0; i < size * size; i++) {
      if (i % 2 === 0) codes.push(4); // clear
      codes.push(pixel(i % size, Math.floor(i / size)));
    }
    codes.push(5); // end of information
    const bytes: number[] = [];
    let acc = 0;
    let bits = 0;
    for (const c of codes) {
      acc |= c << bits;
      bits += 3;
      while (bits >= 8) {
        bytes.push(acc & 0xff);
        acc >>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) bytes.push(acc & 0xff);
    const blocks: number[] = [];
    for (let i = 0; i < bytes.length; i += 255) {
      const part = bytes.slice(i, i + 255);
      blocks.push(part.length, ...part);
    }
    return [
      0x21, 0xf9, 4, 0x00, ...u16(50), 0, 0, // graphic control: 0.5 s
      0x2c, ...u16(0), ...u16(0), ...u16(size), ...u16(size), 0, // image descriptor
      2, ...blocks, 0, // LZW minimum code size, data, terminator
    ];
  };
  return Buffer.from([
    ...Buffer.from('GIF89a', 'ascii'), ...u16(size), ...u16(size), 0x80, 0, 0, // global table of 2 colours
    255, 255, 255, 0, 0, 0, // white, black
    0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0', 'ascii'), 3, 1, ...u16(0), 0, // loop forever
    ...frame((x, y) => (onBar(x, y, size, size) ? 1 : 0)),
    ...frame(() => 0),
    0x3b,
  ]);
}

// ---------------------------------------------------------------------------------------------
// JPEG

/** Canonical Huffman codes from the counts per code length (JPEG Annex C). */
function huffmanCodes(counts: number[], symbols: number[]): Map<number, { code: number; length: number }> {
  const table = new Map<number, { code: number; length: number }>();
  let code = 0;
  let k = 0;
  counts.forEach((n, i) => {
    for (let j = 0; j < n; j++) table.set(symbols[k++], { code: code++, length: i + 1 });
    code <<= 1;
  });
  return table;
}

const DC_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]; // the standard luminance DC table
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_COUNTS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // one code: end of block

function segment(marker: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/**
 * A baseline JPEG whose 8 x 8 blocks are each one flat value, so only DC coefficients are coded
 * and the decoded pixels are exact. `block(c, bx, by)` gives component c's value (0..255) in
 * block (bx, by). Four components make an Adobe CMYK JPEG (stored inverted, as Photoshop
 * writes them); `orientation` adds an EXIF APP1 segment with that Orientation tag.
 */
export function blockJpeg(opts: { width: number; height: number; components: 1 | 4; block: (c: number, bx: number, by: number) => number; orientation?: number }): Buffer {
  const { width, height, components } = opts;
  const parts: Buffer[] = [Buffer.from([0xff, 0xd8])];
  if (opts.orientation !== undefined) {
    const tiff = Buffer.alloc(26);
    tiff.write('MM', 0, 'ascii');
    tiff.writeUInt16BE(42, 2);
    tiff.writeUInt32BE(8, 4);
    tiff.writeUInt16BE(1, 8); // one entry
    tiff.writeUInt16BE(0x0112, 10); // Orientation
    tiff.writeUInt16BE(3, 12); // SHORT
    tiff.writeUInt32BE(1, 14);
    tiff.writeUInt16BE(opts.orientation, 18);
    tiff.writeUInt32BE(0, 22); // no next IFD
    parts.push(segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff])));
  }
  if (components === 4) parts.push(segment(0xee, Buffer.from([...Buffer.from('Adobe', 'ascii'), 0, 100, 0, 0, 0, 0, 0])));
  const quant = Buffer.alloc(65, 1);
  quant[0] = 0;
  quant[1] = 8; // DC quantiser 8: the DC coefficient of a flat block is 8 (v - 128)
  parts.push(segment(0xdb, quant));
  const sof: number[] = [8, height >> 8, height & 0xff, width >> 8, width & 0xff, components];
  for (let c = 0; c < components; c++) sof.push(c + 1, 0x11, 0);
  parts.push(segment(0xc0, Buffer.from(sof)));
  parts.push(segment(0xc4, Buffer.from([0x00, ...DC_COUNTS, ...DC_SYMBOLS, 0x10, ...AC_COUNTS, 0x00])));
  const sos: number[] = [components];
  for (let c = 0; c < components; c++) sos.push(c + 1, 0x00);
  sos.push(0, 63, 0);
  parts.push(segment(0xda, Buffer.from(sos)));
  const dc = huffmanCodes(DC_COUNTS, DC_SYMBOLS);
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  const write = (code: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) {
      acc = (acc << 1) | ((code >> i) & 1);
      if (++bits === 8) {
        out.push(acc);
        if (acc === 0xff) out.push(0);
        acc = 0;
        bits = 0;
      }
    }
  };
  const previous = new Array<number>(components).fill(0);
  for (let by = 0; by < Math.ceil(height / 8); by++) {
    for (let bx = 0; bx < Math.ceil(width / 8); bx++) {
      for (let c = 0; c < components; c++) {
        const value = Math.round(opts.block(c, bx, by)) - 128;
        const diff = value - previous[c];
        previous[c] = value;
        const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
        const { code, length } = dc.get(category)!;
        write(code, length);
        if (category > 0) write(diff > 0 ? diff : diff + (1 << category) - 1, category);
        write(0, 1); // end of block: every AC coefficient is zero
      }
    }
  }
  if (bits > 0) write(0x7f >> (bits - 1), 8 - bits); // pad with ones
  parts.push(Buffer.from(out), Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

/** A 64 x 48 gray JPEG of a horizontal bar, tagged EXIF Orientation 6 (rotate 90° clockwise to view). */
export function exifRotatedJpeg(): Buffer {
  return blockJpeg({ width: 64, height: 48, components: 1, orientation: 6, block: (_c, bx, by) => (by === 3 && bx >= 1 && bx <= 6 ? 0 : 255) });
}

/** A 64 x 64 Adobe CMYK JPEG of a vertical bar in black ink (K), stored inverted. */
export function cmykJpeg(): Buffer {
  return blockJpeg({ width: 64, height: 64, components: 4, block: (c, bx, by) => (c === 3 && bx === 4 && by >= 1 && by <= 6 ? 0 : 255) });
}

// ---------------------------------------------------------------------------------------------
// SVG

const SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="200" viewBox="0 0 200 200">';
const SVG_BAR = '<rect width="200" height="200" fill="#fff"/><rect x="90" y="30" width="20" height="140" fill="#000"/>';

/** Nested <use>: each level repeats the one below `fanOut` times; `depth` levels expand to fanOut^depth paths. */
export function useBombSvg(depth: number, fanOut = 10): string {
  const levels = ['<path id="l0" d="M0 0h1v1z"/>'];
  for (let d = 1; d <= depth; d++) {
    levels.push(`<g id="l${d}">${Array.from({ length: fanOut }, () => `<use href="#l${d - 1}"/>`).join('')}</g>`);
  }
  return `${SVG_OPEN}<defs>${levels.join('')}</defs><use href="#l${depth}"/></svg>`;
}

export const USE_CYCLE_SVG = `${SVG_OPEN}<defs><g id="a"><use href="#b"/></g><g id="b"><use xlink:href="#a"/></g></defs><use href="#a"/>${SVG_BAR}</svg>`;
export const FOREIGN_OBJECT_SVG = `${SVG_OPEN}${SVG_BAR}<foreignObject width="200" height="200"><div xmlns="http://www.w3.org/1999/xhtml">1</div></foreignObject></svg>`;
export const SCRIPT_SVG = `${SVG_OPEN}<script>window.__svgScriptRan = true;</script>${SVG_BAR}<rect width="1" height="1" fill="#fff" onload="window.__svgScriptRan = true"/></svg>`;
/** 203.0.113.0/24 is TEST-NET-3: a request there would be a request off the host, which the fixture fails. */
export const EXTERNAL_IMAGE_SVG = `${SVG_OPEN}${SVG_BAR}<image href="http://203.0.113.7/track.png" x="0" y="0" width="10" height="10"/><image xlink:href="http://203.0.113.7/track2.png" x="0" y="0" width="10" height="10"/></svg>`;

// ---------------------------------------------------------------------------------------------
// Models: edited copies of the built-in MNIST bundle

export interface UploadFile { name: string; mimeType: string; buffer: Buffer }
type Layer = { class_name: string; config: Record<string, unknown> };
export interface ModelJson {
  modelTopology: { config: { layers: Layer[] } };
  weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
}

export const MNIST_MODEL_JSON = readFileSync('public/models/mnist/model.json', 'utf8');
export const MNIST_WEIGHTS = readFileSync('public/models/mnist/weights.bin');
export const MNIST_META = JSON.parse(readFileSync('public/models/mnist/meta.json', 'utf8')) as Record<string, unknown>;

/** The layer of the built-in model with this name, in an edited copy. */
export function layerNamed(json: ModelJson, name: string): Layer {
  const layer = json.modelTopology.config.layers.find((l) => l.config.name === name);
  if (!layer) throw new Error(`The built-in model has no layer ${name}.`);
  return layer;
}

export function weightSpec(json: ModelJson, name: string): { name: string; shape: number[] } {
  const spec = json.weightsManifest[0].weights.find((w) => w.name === name);
  if (!spec) throw new Error(`The built-in model has no weight ${name}.`);
  return spec;
}

/** The built-in model's files with model.json edited, other weights and a meta.json if given. */
export function mnistFiles(opts: { edit?: (json: ModelJson) => void; weights?: Buffer; meta?: unknown; weightName?: string } = {}): UploadFile[] {
  const json = JSON.parse(MNIST_MODEL_JSON) as ModelJson;
  opts.edit?.(json);
  const files: UploadFile[] = [
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) },
    { name: opts.weightName ?? 'weights.bin', mimeType: 'application/octet-stream', buffer: opts.weights ?? MNIST_WEIGHTS },
  ];
  if (opts.meta !== undefined) files.push({ name: 'meta.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(opts.meta)) });
  return files;
}

/** weights.bin with float `index` (counted over the whole file) set to `value`. */
export function weightsWith(index: number, value: number): Buffer {
  const copy = Buffer.from(MNIST_WEIGHTS);
  copy.writeFloatLE(value, index * 4);
  return copy;
}

/**
 * The built-in model taking 28 x 28 x 4 inputs: the first kernel [5, 5, 1, 32] widened to
 * [5, 5, 4, 32] (the one channel repeated), so model.json and weights.bin agree and only the
 * channel count is wrong.
 */
export function fourChannelFiles(): UploadFile[] {
  const kernelFloats = 5 * 5 * 1 * 32;
  const kernel = MNIST_WEIGHTS.subarray(0, kernelFloats * 4);
  const wide = Buffer.alloc(kernelFloats * 4 * 4);
  for (let pos = 0; pos < 25; pos++) {
    for (let ch = 0; ch < 4; ch++) kernel.copy(wide, (pos * 4 + ch) * 32 * 4, pos * 32 * 4, (pos + 1) * 32 * 4);
  }
  return mnistFiles({
    weights: Buffer.concat([wide, MNIST_WEIGHTS.subarray(kernelFloats * 4)]),
    edit: (json) => {
      layerNamed(json, 'conv32_8').config.batch_input_shape = [null, 28, 28, 4];
      weightSpec(json, 'conv32_8/kernel').shape = [5, 5, 4, 32];
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The shared page

export const DIGIT_ONE = 'Test digit 1 (digit-1-0.png)';
export const DIGIT_ZERO = 'Test digit 0 (digit-0-0.png)';
/** RDE iterations while the battery runs: the runs it waits for take a fraction of a second. */
const BATTERY_ITERATIONS = 20;

export interface HostileStudio extends StudioPage {
  /**
   * Shows the bundled digit 1 (first digit 0 if 1 is already shown, so the classification is
   * new), waits for its map, its RDE run and the strip of obfuscations, and returns the
   * worker's tensor count then: the studio at rest with the same input.
   */
  restCount(): Promise<number>;
  /** The tensor count at rest as a case starts: restCount(), or the count now if the page is at rest with digit 1 already; the message bar is cleared. */
  atRest(): Promise<number>;
  /** Records the problems (console errors, dialogs, requests off the host) of another page of the same test. */
  watch(page: Page): void;
  /** Loads files with "Load your model…". */
  loadModel(files: UploadFile[]): Promise<void>;
  /** Chooses an image file with "Choose an image…". */
  chooseImage(name: string, mimeType: string, bytes: Buffer): Promise<void>;
  modelName(): Promise<string>;
  /** Starts an RDE run of `iterations` iterations and waits until it is running. */
  startLongRde(iterations: number): Promise<void>;
}

interface SharedPage {
  page: Page;
  problems: string[];
}

export { watchPage };

/**
 * `studio` on one page per worker: a test starts where the last one left the page (digit 1 shown,
 * at rest); a failed test ends the worker, so the next test gets a new page. Console errors, page
 * errors, dialogs and requests off the host fail the test that caused them. The panels' page
 * objects (`intake`, `rde`, `header`, …) are those of studio.ts, on the shared page.
 */
export const test = base.extend<StudioFixtures & { studio: HostileStudio }, { shared: SharedPage }>({
  shared: [async ({ browser }, use, workerInfo) => {
    const { baseURL, viewport } = workerInfo.project.use;
    const context = await browser.newContext({ baseURL, viewport });
    const page = await context.newPage();
    const problems: string[] = [];
    watchPage(page, problems);
    await use({ page, problems });
    await context.close();
  }, { scope: 'worker' }],

  studio: async ({ shared }, use) => {
    const { page } = shared;
    const expected: RegExp[] = [];
    const firstProblem = shared.problems.length;
    const base = studioPage(page, expected);
    const { hook, intake, rde, header } = base;
    // Done, the strip of obfuscations drawn after it and the mask's Monte-Carlo check over (their tensors are gone once they are).
    const waitForRde = () => hook.waitFor((s) => s.rde.status === 'done' && s.rde.obfuscationScores !== null && !s.rde.verifying, undefined, { timeout: 110_000, polling: 100 });
    const fewIterations = async () => {
      if ((await hook.snapshot()).rde.settings.iterations === BATTERY_ITERATIONS) return;
      await rde.setIterations(BATTERY_ITERATIONS);
      await hook.waitFor((s, n) => s.rde.settings.iterations === n, BATTERY_ITERATIONS);
    };
    const studio: HostileStudio = {
      ...base,
      waitForRde,
      async restCount() {
        if ((await hook.snapshot()).source === DIGIT_ONE) await intake.showDigit('digit-0-0.png');
        await intake.showDigit('digit-1-0.png');
        await fewIterations();
        await waitForRde();
        return hook.tensorCount();
      },
      async atRest() {
        const s = await hook.snapshot();
        const rested = s.source === DIGIT_ONE && s.runs.gradient?.status === 'done' && s.rde.settings.iterations === BATTERY_ITERATIONS
          && s.rde.status === 'done' && s.rde.obfuscationScores !== null && !s.rde.verifying;
        const count = rested ? await hook.tensorCount() : await studio.restCount();
        await header.dismissMessage();
        return count;
      },
      watch: (other) => watchPage(other, shared.problems),
      loadModel: (files) => header.loadModel(files),
      chooseImage: (name, mimeType, bytes) => intake.choose(name, mimeType, bytes),
      modelName: async () => (await header.modelName.textContent()) ?? '',
      async startLongRde(iterations) {
        await rde.setIterations(iterations);
        await rde.waitForRunning({ iterations });
      },
    };
    if (!(await hook.present())) await studio.open();
    await use(studio);
    // A test ends at rest with the bundled digit 1: the next one starts from there.
    expectNoProblems(shared.problems.slice(firstProblem), expected);
  },
  ...panelFixtures,
});

export { expect };
