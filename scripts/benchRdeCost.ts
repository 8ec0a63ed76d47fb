// Where an RDE iteration's time goes, per mode: the gradient of F by ADF against one plain
// forward+backward at batch r+2, and a line-search pass (F at 3 masks in one batch).
// Usage: npm run bench -- rde-cost [--ranks 5,10,30,64] [--repeat 10]
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { setupNodeBackend } from '../src/core/tf/node';
import { forwardLogits } from '../src/core/net/forward';
import { logitGradient } from '../src/core/methods/gradient';
import { makeDistortion } from '../src/core/rde/rdeObjective';
import { loadNetFromFile, PROJECT_ROOT } from '../src/node/modelFiles';
import { openReference } from '../src/node/studioSession';
import { loadMnistSplit, PIXELS } from '../src/node/mnistData';
import { printTable, timeMedian } from './benchTable';

export async function rdeCost(flags: Record<string, string>): Promise<void> {
  await setupNodeBackend('wasm');
  const { net } = await loadNetFromFile('mnist');
  const reference = openReference(join(PROJECT_ROOT, 'public', 'models', 'mnist'))!;
  const { heldOut } = loadMnistSplit();
  const x = tf.tensor4d(heldOut.images.subarray(3 * PIXELS, 4 * PIXELS), [1, 28, 28, 1]);
  const target = heldOut.labels[3];
  const phiX = tf.tidy(() => forwardLogits(net, x).dataSync()[target]);
  const repeat = Number(flags.repeat ?? 10);
  const ranks = (flags.ranks ?? '5,10,30,64').split(',').map(Number);
  const rows: Array<Record<string, string>> = [];
  for (const [mode, rank] of [['diag', 0], ...ranks.map((r) => ['lowrank', r])] as Array<['diag' | 'lowrank', number]>) {
    const batch = tf.tidy(() => tf.tile(x, [rank + 2, 1, 1, 1])) as tf.Tensor4D;
    const plain = await timeMedian(repeat, async () => { const g = logitGradient(net, batch, target); await g.data(); g.dispose(); });
    batch.dispose();
    const D = makeDistortion(net, x, target, phiX, reference, { mode, rank, samples: 0, seed: 0 });
    const s = tf.fill([1, 28, 28, 1], 0.25) as tf.Tensor4D;
    const s3 = tf.fill([3, 28, 28, 1], 0.25) as tf.Tensor4D;
    const grad = tf.grad((t: tf.Tensor) => tf.sum(D.distortion(t as tf.Tensor4D)));
    const gradient = await timeMedian(repeat, async () => { const g = grad(s); await g.data(); g.dispose(); });
    const pass = await timeMedian(repeat, async () => { const v = D.distortion(s3); await v.data(); v.dispose(); });
    tf.dispose([s, s3]);
    D.dispose();
    rows.push({
      mode: mode === 'diag' ? 'diagonal' : `low-rank r=${rank}`,
      'plain fwd+bwd, batch r+2 (ms)': plain.toFixed(1),
      'ADF gradient of D (ms)': gradient.toFixed(1),
      'gradient ratio': (gradient / plain).toFixed(2),
      'line-search pass, 3 masks (ms)': pass.toFixed(1),
    });
    console.error(`done: ${rows[rows.length - 1].mode}`);
  }
  x.dispose();
  console.log(`digit #3 of the held-out set, s = 0.25 everywhere, median of ${repeat}`);
  printTable(rows);
}
