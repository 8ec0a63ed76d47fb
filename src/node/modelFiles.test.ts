import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupNodeBackend } from '../core/tf/node';
import { disposeModelBundle } from '../core/net/modelBundle';
import { flattenLayer, denseLayer, handmadeArtifacts, modelJsonText, sequentialTopology } from '../core/net/testing/handmadeModels';
import { openModel } from './studioSession';

const work = mkdtempSync(join(tmpdir(), 'studio-model-'));

/** A 28 x 28 x 1 → 10 dense model written to a folder, with the given weight path in its manifest. */
function writeDigitModel(dir: string, weightPath = 'weights.bin'): void {
  const artifacts = handmadeArtifacts(sequentialTopology([flattenLayer('f', [28, 28, 1]), denseLayer('d', 10)]), [['d/kernel', [784, 10]], ['d/bias', [10]]]);
  writeFileSync(join(dir, 'model.json'), modelJsonText(artifacts, weightPath));
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
}

const folder = (name: string) => {
  const dir = join(work, name);
  mkdirSync(dir);
  return dir;
};

describe('openModel (Node) through the bundle loader in core', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('opens the built-in model with its meta, reference and load report', async () => {
    const { net, meta, layersModel, reference, report } = await openModel('mnist');
    expect(meta).toMatchObject({ id: 'mnist', preprocessing: 'mnist', heldOutAccuracy: 0.985 });
    expect(reference?.rank).toBe(64);
    expect(report.text).toBe('MNIST digits (RDE paper network): input 28 x 28 x 1, 10 classes, 10 layers, 10 weight tensors holding 755,658 parameters (2.9 MiB)');
    disposeModelBundle({ net, model: layersModel });
  });

  it('picks MNIST preprocessing for a 28 x 28 x 1 model without meta.json, as the worker does', async () => {
    const dir = folder('plain');
    writeDigitModel(dir);
    const { net, meta, layersModel } = await openModel(join(dir, 'model.json'));
    expect(meta.preprocessing).toBe('mnist');
    expect(meta.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    disposeModelBundle({ net, model: layersModel });
  });

  it('refuses a weight path that leaves the folder (it read ../../etc/passwd as weights)', async () => {
    const dir = folder('escape');
    writeDigitModel(dir, '../../etc/passwd');
    await expect(openModel(join(dir, 'model.json'))).rejects.toThrow('model.json names the file "../../etc/passwd", which is outside the model\'s folder');
  });

  it('refuses a weight file that a symbolic link takes outside the folder', async () => {
    const dir = folder('link');
    writeDigitModel(dir, 'linked.bin');
    const outside = join(work, 'outside.bin');
    writeFileSync(outside, new Uint8Array(4 * 7850));
    symlinkSync(outside, join(dir, 'linked.bin'));
    await expect(openModel(join(dir, 'model.json'))).rejects.toThrow(/^"linked\.bin" leads outside the model's folder/);
  });
});
