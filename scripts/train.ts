// Trains a built-in model, seeded, and writes it with its meta.json under public/models/<id>/.
// Usage: npm run train -- mnist [--epochs 20] [--seed 7] [--batch 64] [--backend wasm] [--out dir]
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupNodeBackend } from '../src/core/tf/node';
import { buildMnistNetwork } from '../src/node/mnistArchitecture';
import { loadMnistSplit, PIXELS, HELD_OUT_PER_CLASS, type DigitSet } from '../src/node/mnistData';
import { saveLayersModel } from '../src/node/modelFiles';
import { mulberry32, shuffleInPlace } from '../src/core/util/random';
import { parseFlags } from '../src/node/flags';

const MAX_SHIFT = 2;

/** Copies image i shifted by (dy, dx) pixels into out (zeros enter at the border). */
function shiftInto(src: Float32Array, i: number, dy: number, dx: number, out: Float32Array, o: number) {
  for (let r = 0; r < 28; r++) {
    const sr = r - dy;
    for (let c = 0; c < 28; c++) {
      const sc = c - dx;
      out[o + r * 28 + c] = sr >= 0 && sr < 28 && sc >= 0 && sc < 28 ? src[i * PIXELS + sr * 28 + sc] : 0;
    }
  }
}

function evaluate(model: tf.LayersModel, set: DigitSet): number {
  let correct = 0;
  const batch = 500;
  for (let start = 0; start < set.count; start += batch) {
    const n = Math.min(batch, set.count - start);
    const pred = tf.tidy(() => {
      const x = tf.tensor4d(set.images.subarray(start * PIXELS, (start + n) * PIXELS), [n, 28, 28, 1]);
      return (model.predict(x) as tf.Tensor).argMax(-1).dataSync();
    });
    for (let k = 0; k < n; k++) if (pred[k] === set.labels[start + k]) correct++;
  }
  return correct / set.count;
}

async function main() {
  const { positional, flags } = parseFlags(process.argv.slice(2));
  const id = positional[0] ?? 'mnist';
  if (id !== 'mnist') throw new Error(`Unknown built-in model "${id}". Known: mnist`);
  const epochs = Number(flags.epochs ?? 14);
  const seed = Number(flags.seed ?? 7);
  const batchSize = Number(flags.batch ?? 64);
  const backend = (flags.backend ?? 'wasm') as 'wasm' | 'cpu';
  await setupNodeBackend(backend);

  const { train, heldOut } = loadMnistSplit();
  const { logits, withHead } = buildMnistNetwork(seed);
  const optimizer = tf.train.adam(1e-3);
  const rand = mulberry32(seed);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const xb = new Float32Array(batchSize * PIXELS);
  const t0 = Date.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (epoch === Math.floor(epochs * 0.7)) (optimizer as unknown as { learningRate: number }).learningRate = 3e-4;
    shuffleInPlace(order, rand);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start + batchSize <= order.length; start += batchSize) {
      const yb = new Int32Array(batchSize);
      for (let k = 0; k < batchSize; k++) {
        const i = order[start + k];
        const dy = Math.floor(rand() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
        const dx = Math.floor(rand() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
        shiftInto(train.images, i, dy, dx, xb, k * PIXELS);
        yb[k] = train.labels[i];
      }
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(xb, [batchSize, 28, 28, 1]);
        const y = tf.oneHot(tf.tensor1d(yb, 'int32'), 10);
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logits.apply(x) as tf.Tensor) as tf.Scalar, true) as tf.Scalar;
      });
      lossSum += (await loss.data())[0];
      loss.dispose();
      batches++;
    }
    const acc = evaluate(withHead, heldOut);
    console.log(`epoch ${epoch + 1}/${epochs}  loss ${(lossSum / batches).toFixed(4)}  held-out accuracy ${(acc * 100).toFixed(2)}%  ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  const accuracy = evaluate(withHead, heldOut);
  const dir = flags.out ?? join('public', 'models', id);
  await saveLayersModel(withHead, dir);
  const meta = {
    id,
    name: 'MNIST digits (RDE paper network)',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    inputShape: [28, 28, 1],
    inputRange: [0, 1],
    preprocessing: 'mnist',
    architecture: 'conv5x5(32)-relu-avgpool2 · conv5x5(64)-relu-avgpool2 · conv5x5(64)-relu-avgpool2 · dense1024-relu · dense10 (logits) · softmax head',
    data: `npm package mnist@1.1.0: ${train.count} training digits, ${heldOut.count} held out (the last ${HELD_OUT_PER_CLASS} of each class)`,
    training: { epochs, batchSize, seed, optimizer: 'adam 1e-3, 3e-4 from 70% of epochs', augmentation: `random shifts up to ${MAX_SHIFT} px`, backend },
    heldOutAccuracy: Number(accuracy.toFixed(4)),
    command: `npm run train -- ${id} --epochs ${epochs} --seed ${seed} --batch ${batchSize} --backend ${backend}`,
    tfjs: tf.version.tfjs,
  };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  console.log(`held-out accuracy ${(accuracy * 100).toFixed(2)}%; wrote ${dir}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
