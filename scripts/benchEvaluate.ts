// `npm run bench -- evaluate [--full false] [--repeat 5]`: what the relevance-ordering curves cost
// on WASM in Node. Forward passes per second of the MNIST net at a few batch sizes, then the time
// of one map's curve on one held-out digit (gradient; the curve costs the same for any map) at the
// paper's full setting (N = 512, g = 5, every rate: 158 points (k = 0, 5, …, 780, 784) × 512 fillings ≈ 81k passes) and at
// the reduced one (N = 128, rates ≤ 30 %), for the paper and the studio protocol.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { setupNodeBackend } from '../src/core/tf/node';
import { forwardLogits } from '../src/core/net/forward';
import { logitGradient } from '../src/core/methods/gradient';
import { PAPER_CURVE_SETTINGS, createCurveEvaluator, curveBatchRows, type CurveSettings } from '../src/core/evaluate/curve';
import { loadNetFromFile, PROJECT_ROOT } from '../src/node/modelFiles';
import { loadMnistSplit, PIXELS } from '../src/node/mnistData';
import { openReference } from '../src/node/studioSession';
import { printTable, timeMedian } from './benchTable';

export async function benchEvaluate(flags: Record<string, string>): Promise<void> {
  const repeat = Number(flags.repeat ?? 5);
  const full = flags.full !== 'false';
  await setupNodeBackend('wasm');
  const { net } = await loadNetFromFile('mnist');
  const reference = openReference(join(PROJECT_ROOT, 'public', 'models', 'mnist'))!;
  const { heldOut } = loadMnistSplit();
  const index = Number(flags.digit ?? 3);
  const pixels = heldOut.images.subarray(index * PIXELS, (index + 1) * PIXELS);
  const target = heldOut.labels[index];

  const rows: Array<Record<string, string>> = [];
  for (const batch of [1, 64, 512, 2048]) {
    const data = new Float32Array(batch * PIXELS);
    for (let i = 0; i < batch; i++) data.set(pixels, i * PIXELS);
    const x = tf.tensor4d(data, [batch, 28, 28, 1]);
    const ms = await timeMedian(batch >= 512 ? Math.max(2, Math.ceil(repeat / 2)) : repeat * 4, async () => {
      const y = forwardLogits(net, x);
      await y.data();
      y.dispose();
    });
    x.dispose();
    rows.push({ batch: String(batch), 'median ms per call': ms.toFixed(1), 'passes / s': (batch / (ms / 1000)).toFixed(0) });
  }
  console.log(`forward passes of the MNIST net (median of ${repeat * 4} calls at batch ≤ 64, ${Math.max(2, Math.ceil(repeat / 2))} above; the curve sends ${curveBatchRows(PIXELS)} rows per call)`);
  printTable(rows);

  const x = tf.tensor4d(pixels, [1, 28, 28, 1]);
  const g = logitGradient(net, x, target);
  const relevance = Float32Array.from(await g.data());
  g.dispose();
  const reduced = { samples: 128, step: 5, maxRate: 0.3 };
  const settings: Array<[string, CurveSettings]> = [
    ['paper, reduced (N = 128, rates ≤ 30 %)', { ...PAPER_CURVE_SETTINGS, ...reduced }],
    ['studio, reduced (N = 128, rates ≤ 30 %, rank 30)', { ...PAPER_CURVE_SETTINGS, ...reduced, protocol: 'studio', rank: 30 }],
    ...(full ? [['paper, full (N = 512, every rate)', PAPER_CURVE_SETTINGS] as [string, CurveSettings]] : []),
  ];
  const curveRows: Array<Record<string, string>> = [];
  for (const [name, s] of settings) {
    const t0 = performance.now();
    const evaluator = await createCurveEvaluator(net, x, target, s, reference);
    const t1 = performance.now();
    await evaluator.curve(relevance);
    const t2 = performance.now();
    curveRows.push({
      setting: name, 'single-input passes': String(evaluator.passesPerCurve), 'fillings drawn (s)': ((t1 - t0) / 1000).toFixed(2),
      'one curve (s)': ((t2 - t1) / 1000).toFixed(1), 'passes / s': (evaluator.passesPerCurve / ((t2 - t1) / 1000)).toFixed(0),
    });
    evaluator.dispose();
    console.error(`done: ${name}`);
  }
  x.dispose();
  console.log(`one map's relevance-ordering curve, held-out digit #${index} (class ${target}), gradient map, g = 5, one run each`);
  printTable(curveRows);
}
