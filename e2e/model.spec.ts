import { readFileSync } from 'node:fs';
import { test, expect } from './studio';

const modelJson = readFileSync('public/models/mnist/model.json');
const weights = readFileSync('public/models/mnist/weights.bin');

test('a user model (model.json + weights) loads and reclassifies the current image', async ({ studio, intake, header }) => {
  const before = await intake.showDigit('digit-5-0.png');
  await header.loadModel([
    { name: 'model.json', mimeType: 'application/json', buffer: modelJson },
    { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights },
  ]);
  await expect(header.modelName).toContainText('model');
  const after = await studio.waitForMap('Test digit 5 (digit-5-0.png)');
  expect(after.logits).toEqual(before.logits);
});

test.describe('a malformed model gets a clear message and the current model stays', () => {
  const cases: Array<{ name: string; files: Array<{ name: string; mimeType: string; buffer: Buffer }>; message: string }> = [
    { name: 'not JSON', files: [{ name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{ nope') }], message: 'model.json is not valid JSON.' },
    { name: 'no topology', files: [{ name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{"weightsManifest": []}') }], message: 'model.json is not a TensorFlow.js layers model' },
    { name: 'weights missing', files: [{ name: 'model.json', mimeType: 'application/json', buffer: modelJson }], message: 'Weight file missing: weights.bin.' },
    {
      name: 'weights truncated',
      files: [
        { name: 'model.json', mimeType: 'application/json', buffer: modelJson },
        { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights.subarray(0, 1000) },
      ],
      message: `The weight files hold 1000 bytes but model.json describes ${weights.length}.`,
    },
    { name: 'only weights', files: [{ name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights }], message: 'Choose the model.json of a TensorFlow.js layers model' },
  ];
  for (const c of cases) {
    test(c.name, async ({ studio, intake, header }) => {
      const before = await intake.showDigit('digit-9-0.png');
      await header.loadModel(c.files);
      await expect(header.error).toContainText(`The model was not loaded: ${c.message}`);
      await expect(header.error).toContainText('The current model is kept.');
      await expect(header.modelName).toContainText('MNIST digits');
      const after = await studio.snapshot();
      expect(after.predicted).toBe(before.predicted);
      expect((await intake.showDigit('digit-1-0.png')).predicted).not.toBeNull();
    });
  }
});
