// One source of truth for model bundles (issue 10): the page (worker) and the CLI open a user's
// model through the same loader and ModelMeta defaults, so the same model and image give the
// same input and logits in both.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { test, expect, type StudioPage } from './studio';
import { runCli } from '../src/node/cli';
import { conv2dLayer, denseLayer, handmadeArtifacts, modelJsonText, sequentialTopology } from '../src/core/net/testing/handmadeModels';

/**
 * A user's model without meta.json: conv 3x3 (relu) → flatten → dense(classes, softmax), with
 * small deterministic weights. 28 x 28 x 1 takes the MNIST preprocessing by default, 12 x 12 x 3
 * the plain "fit" one (resolveModelMeta).
 */
function userModel(name: string, [h, w, c]: [number, number, number], classes: number): { json: Buffer; weights: Buffer } {
  const features = (h - 2) * (w - 2) * 2;
  const artifacts = handmadeArtifacts(
    sequentialTopology([
      conv2dLayer('conv', 2, 3, { batch_input_shape: [null, h, w, c], activation: 'relu' }),
      { class_name: 'Flatten', config: { name: 'flat' } },
      denseLayer('out', classes, { activation: 'softmax' }),
    ]),
    [['conv/kernel', [3, 3, c, 2]], ['conv/bias', [2]], ['out/kernel', [features, classes]], ['out/bias', [classes]]],
  );
  return { json: Buffer.from(modelJsonText(artifacts, `${name}.bin`)), weights: Buffer.from(artifacts.weightData as ArrayBuffer) };
}

/** An opaque 40 x 34 RGB image: a colour-graded stroke (a "7") on a light, slightly tinted ground. */
function strokePng(): Buffer {
  const png = new PNG({ width: 40, height: 34 });
  for (let y = 0; y < 34; y++) {
    for (let x = 0; x < 40; x++) {
      const onStroke = (y >= 6 && y < 11 && x >= 9 && x < 31) || (Math.abs(x - (31 - (y - 6) * 0.55)) < 2.6 && y >= 6 && y < 30);
      const i = (y * 40 + x) * 4;
      png.data[i] = onStroke ? 20 + 5 * y : 250 - (x % 7);
      png.data[i + 1] = onStroke ? 40 + 3 * x : 244;
      png.data[i + 2] = onStroke ? 120 : 236 + (y % 5);
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

async function loadUserModel(studio: StudioPage, name: string, model: { json: Buffer; weights: Buffer }): Promise<void> {
  await studio.page.getByTestId('model-file-input').setInputFiles([
    { name: `${name}.json`, mimeType: 'application/json', buffer: model.json },
    { name: `${name}.bin`, mimeType: 'application/octet-stream', buffer: model.weights },
  ]);
  // The load report comes once the current image has been classified by the new model.
  await expect.poll(async () => {
    const s = await studio.snapshot();
    return s.message?.text.startsWith(`Loaded ${name}:`) === true && s.logits !== null;
  }).toBe(true);
}

test('the same user model and image give the same input and logits in the page and the CLI', async ({ studio }) => {
  const { page } = studio;
  const dir = mkdtempSync(join(tmpdir(), 'bundle-parity-'));
  try {
    const image = strokePng();
    const imagePath = join(dir, 'stroke.png');
    writeFileSync(imagePath, image);
    await page.getByTestId('file-input').setInputFiles({ name: 'stroke.png', mimeType: 'image/png', buffer: image });
    await expect.poll(async () => (await studio.snapshot()).source).toContain('stroke.png');

    for (const [name, shape, classes] of [['parity-gray', [28, 28, 1], 10], ['parity-rgb', [12, 12, 3], 5]] as const) {
      const model = userModel(name, [...shape], classes);
      writeFileSync(join(dir, `${name}.json`), model.json);
      writeFileSync(join(dir, `${name}.bin`), model.weights);
      await loadUserModel(studio, name, model);
      const inPage = await studio.snapshot();

      const out: string[] = [];
      const err: string[] = [];
      const outFile = join(dir, `${name}-explain.json`);
      const code = await runCli(['explain', '--method', 'gradient', '--model', join(dir, `${name}.json`), '--image', imagePath, '--out', outFile],
        { out: (l) => out.push(l), err: (l) => err.push(l) });
      expect(err, err.join('\n')).toEqual([]);
      expect(code).toBe(0);
      const cli = JSON.parse(readFileSync(outFile, 'utf8')) as { input: number[]; inputShape: number[]; logits: number[]; predicted: number };

      // The input: the same core preprocessing of the same RGBA pixels (the browser's PNG decode of
      // an opaque, untagged 8-bit image is exact, as pngjs's is), so equal up to float32 storage.
      expect(cli.inputShape).toEqual([1, ...shape]);
      expect(inPage.modelInput).toHaveLength(shape[0] * shape[1] * shape[2]);
      const inputGap = Math.max(...cli.input.map((v, i) => Math.abs(v - inPage.modelInput![i])));
      expect(inputGap).toBeLessThanOrEqual(1e-6);
      // The logits: same weights and input, but the page may compute on WebGL or WebGPU, the CLI on
      // wasm. float32 sums of ~1,350 (gray) or ~200 (RGB) products of O(0.2) terms differ by their
      // order of summation only: at most a few 1e-6 of the largest logit, so 1e-4 relative to it
      // (or to 1 when all are small) leaves a margin and still catches any preprocessing change.
      expect(inPage.logits).toHaveLength(classes);
      const scale = Math.max(1, ...cli.logits.map(Math.abs));
      const logitGap = Math.max(...cli.logits.map((v, i) => Math.abs(v - inPage.logits![i])));
      expect(logitGap / scale).toBeLessThanOrEqual(1e-4);
      expect(inPage.predicted).toBe(cli.predicted);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
