// Estimates a built-in model's reference distribution V from its training digits (METHODS.md
// 1.4) and writes reference.json + reference.bin beside the model.
// Usage: npm run reference -- mnist [--rank 64]
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupNodeBackend } from '../src/core/tf/node';
import { loadMnistSplit, PIXELS } from '../src/node/mnistData';
import { RunningMoments } from '../src/core/reference/moments';
import { covariance, lowRankFactor } from '../src/core/reference/lowRank';
import { serialiseReference } from '../src/core/reference/distribution';
import { parseFlags } from '../src/node/flags';
import { PROJECT_ROOT } from '../src/node/modelFiles';

async function main() {
  const { positional, flags } = parseFlags(process.argv.slice(2));
  const id = positional[0] ?? 'mnist';
  if (id !== 'mnist') throw new Error(`Unknown built-in model "${id}". Known: mnist`);
  const rank = Number(flags.rank ?? 64);
  await setupNodeBackend('wasm');
  const { train } = loadMnistSplit();
  const moments = new RunningMoments(PIXELS);
  const batch = 500;
  for (let start = 0; start < train.count; start += batch) {
    const rows = Math.min(batch, train.count - start);
    moments.addBatch(train.images.subarray(start * PIXELS, (start + rows) * PIXELS), rows);
  }
  const variance = moments.variance();
  const cov = covariance(train.images, train.count, moments.mean);
  const { factor, eigenvalues } = lowRankFactor(cov, rank, { seed: 1 });
  cov.dispose();
  const totalVariance = variance.reduce((s, v) => s + v, 0);
  const captured = eigenvalues.reduce((s, v) => s + v, 0);
  const dir = join(PROJECT_ROOT, 'public', 'models', id);
  writeFileSync(join(dir, 'reference.bin'), serialiseReference({
    shape: [28, 28, 1], count: train.count, rank,
    mean: Float32Array.from(moments.mean), variance: Float32Array.from(variance), factor,
  }));
  const meta = {
    shape: [28, 28, 1], count: train.count, rank, file: 'reference.bin',
    layout: 'float32 mean[d] | variance[d] | factor[rank][d]',
    eigenvalues: Array.from(eigenvalues, (v) => Number(v.toPrecision(7))),
    totalVariance: Number(totalVariance.toPrecision(7)),
    command: `npm run reference -- ${id} --rank ${rank}`,
  };
  writeFileSync(join(dir, 'reference.json'), JSON.stringify(meta, null, 2) + '\n');
  console.log(`V from ${train.count} training digits: rank ${rank} captures ${(100 * captured / totalVariance).toFixed(1)}% of the total variance ${totalVariance.toFixed(3)}; tensors left ${tf.memory().numTensors}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
