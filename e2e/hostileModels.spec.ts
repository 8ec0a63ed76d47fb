// The hostile-input battery, models (issue 9): edited copies of the built-in MNIST bundle loaded
// with "Load your model…". Each is refused with "The model was not loaded: " and the reason, the
// current model and image stay, the worker holds as many tensors at rest as before, and the page
// still classifies. Then what a loaded model brings: markup in its names stays text, the load
// report stays on screen, and "Back to the built-in model" brings MNIST back.
import { readFileSync } from 'node:fs';
import {
  test, expect, DIGIT_ONE, MNIST_META, MNIST_WEIGHTS, fourChannelFiles, layerNamed, mnistFiles, weightSpec, weightsWith,
  type UploadFile,
} from './hostileFixtures';

const MODEL_NAME = 'MNIST digits (RDE paper network)';
const meta = (patch: Record<string, unknown>) => ({ ...MNIST_META, ...patch });
const OUTSIDE = 'which is outside the model\'s folder; a model\'s files must sit in its folder (no "..", absolute paths or URLs).';

const refusals: Array<{ name: string; files: () => UploadFile[]; reason: string }> = [
  {
    name: 'an unknown layer class',
    files: () => mnistFiles({ edit: (j) => { layerNamed(j, 'flatten').class_name = 'NoSuchLayer'; } }),
    reason: 'model.json: layer 7 ("flatten") is of class "NoSuchLayer", which TensorFlow.js does not know.',
  },
  {
    name: 'a transposed kernel shape in the manifest',
    files: () => mnistFiles({ edit: (j) => { weightSpec(j, 'dense1024/kernel').shape = [1024, 576]; } }),
    reason: 'model.json: layer "dense1024" (Dense) needs dense1024/kernel of shape [576, 1024]; weightsManifest gives dense1024/kernel the shape [1024, 576].',
  },
  {
    name: 'units: 1e9',
    files: () => mnistFiles({ edit: (j) => { layerNamed(j, 'dense1024').config.units = 1e9; } }),
    reason: 'model.json: layer "dense1024" (Dense) has units 1.0e9; the studio accepts at most 65,536.',
  },
  {
    name: 'units: 400000',
    files: () => mnistFiles({ edit: (j) => { layerNamed(j, 'dense1024').config.units = 400_000; } }),
    reason: 'model.json: layer "dense1024" (Dense) has units 400,000; the studio accepts at most 65,536.',
  },
  {
    name: 'a declared input of 100000 x 100000 x 3',
    files: () => mnistFiles({ edit: (j) => { layerNamed(j, 'conv32_8').config.batch_input_shape = [null, 100000, 100000, 3]; } }),
    reason: 'model.json declares an input of 100000 x 100000 x 3 = 3.0e10 values; the studio accepts at most 3.1e6 values (1024 x 1024 x 3) and 4096 pixels a side.',
  },
  {
    name: 'a 28 x 28 x 4 input, its kernel left at one channel',
    files: () => mnistFiles({ edit: (j) => { layerNamed(j, 'conv32_8').config.batch_input_shape = [null, 28, 28, 4]; } }),
    reason: 'model.json: layer "conv32_8" (Conv2D) needs conv32_8/kernel of shape [5, 5, 4, 32]; weightsManifest gives conv32_8/kernel the shape [5, 5, 1, 32].',
  },
  {
    name: 'a 28 x 28 x 4 input with weights to match',
    files: fourChannelFiles,
    reason: 'The model takes 28 x 28 x 4 inputs, with 4 channels; the studio\'s preprocessing makes images with 1 (gray) or 3 (RGB) channels, so no image could be classified.',
  },
  {
    name: 'a NaN weight',
    files: () => mnistFiles({ weights: weightsWith(17, NaN) }),
    reason: 'model.json: weight "conv32_8/kernel" holds 1 value that is not a finite number (NaN or infinity), the first at index 17; the model\'s outputs would not be numbers.',
  },
  {
    name: 'an infinite weight in the last tensor',
    files: () => mnistFiles({ weights: weightsWith(MNIST_WEIGHTS.length / 4 - 3, Infinity) }),
    reason: 'model.json: weight "logits/bias" holds 1 value that is not a finite number (NaN or infinity), the first at index 7; the model\'s outputs would not be numbers.',
  },
  {
    name: 'meta.json with objects for class names',
    files: () => mnistFiles({ meta: meta({ classes: Array.from({ length: 10 }, (_, k) => ({ name: String(k) })) }) }),
    reason: 'meta.json: classes must be text; entry 0 is an object.',
  },
  {
    name: 'meta.json with heldOutAccuracy: "high"',
    files: () => mnistFiles({ meta: meta({ heldOutAccuracy: 'high' }) }),
    reason: 'meta.json: heldOutAccuracy must be a number between 0 and 1; it is "high".',
  },
  {
    name: 'meta.json naming 3 classes for 10 outputs',
    files: () => mnistFiles({ meta: meta({ classes: ['a', 'b', 'c'] }) }),
    reason: 'meta.json names 3 classes; the model has 10 outputs.',
  },
  {
    name: 'a weight path ../../etc/passwd',
    files: () => mnistFiles({ edit: (j) => { j.weightsManifest[0].paths = ['../../etc/passwd']; } }),
    reason: `model.json names the file "../../etc/passwd", ${OUTSIDE}`,
  },
  {
    // Refused before anything is read: a request to 203.0.113.7 would fail the test.
    name: 'a weight path http://203.0.113.7/weights.bin',
    files: () => mnistFiles({ edit: (j) => { j.weightsManifest[0].paths = ['http://203.0.113.7/weights.bin']; } }),
    reason: `model.json names the file "http://203.0.113.7/weights.bin", ${OUTSIDE}`,
  },
];

test.describe('hostile models are refused, naming the problem; the current model stays and nothing leaks', () => {
  for (const c of refusals) {
    test(c.name, async ({ studio, header }) => {
      const rest = await studio.atRest();
      const before = await studio.snapshot();
      const modelName = await studio.modelName();
      expect(modelName).toContain(MODEL_NAME);
      await studio.loadModel(c.files());
      const text = `The model was not loaded: ${c.reason} The current model is kept.`;
      await expect(header.error).toContainText(text);
      const after = await studio.snapshot();
      expect(after.message).toEqual({ kind: 'error', text });
      expect(await studio.modelName()).toBe(modelName);
      await expect(header.builtinModel).toHaveCount(0);
      expect(after.source).toBe(DIGIT_ONE);
      expect(after.predicted).toBe(before.predicted);
      expect(after.logits).toEqual(before.logits);
      expect(await studio.restCount()).toBe(rest);
    });
  }
});

test.describe('a model that loads', () => {
  test('markup in the model\'s name and class names is shown as text', async ({ studio, header, scores }) => {
    const { page } = studio;
    const rest = await studio.atRest();
    const classes = Array.from({ length: 10 }, (_, k) => `<img src=x onerror=alert(${k})>`);
    await studio.loadModel(mnistFiles({ meta: meta({ id: 'markup', name: '<b>bold</b> model', classes }) }));
    await expect(header.info).toContainText('Loaded <b>bold</b> model: input 28 x 28 x 1, 10 classes, 10 layers, 10 weight tensors holding 755,658 parameters (2.9 MiB).');
    await expect(header.modelName).toHaveText('<b>bold</b> model · 98.5% held-out accuracy');
    await studio.hook.waitFor((s) => s.runs.gradient?.status === 'done');
    await expect(scores.predicted).toHaveText(classes[1]);
    await expect(scores.table).toContainText(classes[9]);
    await expect(page.locator('img[src="x"], [data-testid="model-name"] b')).toHaveCount(0);
    await header.backToBuiltinModel();
    await expect(header.info).toHaveText(/^Back to the built-in model MNIST digits \(RDE paper network\)\./);
    expect(await studio.restCount()).toBe(rest);
  });

  test('the load report stays on screen after the re-classification; "Back to the built-in model" brings MNIST back', async ({ studio, header }) => {
    const { page } = studio;
    const rest = await studio.atRest();
    const before = await studio.snapshot();
    // With the reference distribution, so the re-classification runs RDE too.
    const reference = ['reference.json', 'reference.bin'].map((name) => ({ name, mimeType: 'application/octet-stream', buffer: readFileSync(`public/models/mnist/${name}`) }));
    await studio.loadModel([...mnistFiles({ meta: meta({ id: 'yours', name: 'Your digits' }) }), ...reference]);
    const report = 'Loaded Your digits: input 28 x 28 x 1, 10 classes, 10 layers, 10 weight tensors holding 755,658 parameters (2.9 MiB).';
    await expect(header.info).toHaveText(new RegExp(`^${report.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await expect(header.modelName).toHaveText('Your digits · 98.5% held-out accuracy');
    await page.waitForTimeout(2_000);
    expect((await studio.snapshot()).message).toEqual({ kind: 'info', text: report });
    await expect(header.info).toBeVisible();
    const loaded = await studio.waitForMap(DIGIT_ONE);
    expect(loaded.logits).toEqual(before.logits);
    await header.backToBuiltinModel();
    await expect(header.modelName).toHaveText(`${MODEL_NAME} · 98.5% held-out accuracy`);
    await expect(header.info).toContainText(`Back to the built-in model ${MODEL_NAME}.`);
    await expect(header.builtinModel).toHaveCount(0);
    const back = await studio.waitForMap(DIGIT_ONE);
    expect(back.logits).toEqual(before.logits);
    expect(await studio.restCount()).toBe(rest);
  });
});
