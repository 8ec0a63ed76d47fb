// Benchmarks that print tables (never timed tests). Usage: npm run bench [-- basics] [--repeat 20]
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../src/core/tf/node';
import { classify, forwardLogits } from '../src/core/net/forward';
import { logitGradient } from '../src/core/methods/gradient';
import { preprocessMnist } from '../src/core/image/mnistPreprocess';
import { loadNetFromFile } from '../src/node/modelFiles';
import { loadMnistSplit, PIXELS } from '../src/node/mnistData';
import { parseFlags } from '../src/node/flags';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/node/modelFiles';
import { openReference } from '../src/node/studioSession';
import { rdeParams, runRde } from '../src/core/rde/rde';
import { printTable, timeMedian } from './benchTable';


async function basics(repeat: number) {
  console.log(`median of ${repeat} runs after one warm-up`);
  const { heldOut } = loadMnistSplit();
  const rows: Array<Record<string, string>> = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await setupNodeBackend(backend);
    const { net, model } = await loadNetFromFile('mnist');
    const x1 = tf.tensor4d(heldOut.images.subarray(0, PIXELS), [1, 28, 28, 1]);
    const x64 = tf.tensor4d(heldOut.images.subarray(0, 64 * PIXELS), [64, 28, 28, 1]);
    const row = (what: string, ms: number) => rows.push({ backend, operation: what, 'median ms': ms.toFixed(2) });
    row('classify, batch 1', await timeMedian(repeat, async () => { await classify(net, x1); }));
    row('forward, batch 64', await timeMedian(repeat, async () => { const y = forwardLogits(net, x64); await y.data(); y.dispose(); }));
    row('gradient map, batch 1', await timeMedian(repeat, async () => { const g = logitGradient(net, x1, 3); await g.data(); g.dispose(); }));
    row('gradient, batch 64', await timeMedian(Math.max(3, repeat / 4), async () => { const g = logitGradient(net, x64, 3); await g.data(); g.dispose(); }));
    x1.dispose();
    x64.dispose();
    model.dispose();
  }
  const size = 1024;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let y = 200; y < 800; y++) for (let x = 450; x < 560; x++) data.set([0, 0, 0, 255], (y * size + x) * 4);
  rows.push({ backend: '(none)', operation: 'MNIST preprocessing of 1024 x 1024 RGBA', 'median ms': (await timeMedian(repeat, () => { preprocessMnist({ width: size, height: size, data }); })).toFixed(2) });
  printTable(rows);
}

/**
 * RDE on the MNIST model: time per iteration against one plain forward+backward at batch r+2,
 * and how many iterations (and seconds) it takes to come within 1% of the objective that the
 * full budget reaches.
 */
async function rde(flags: Record<string, string>) {
  await setupNodeBackend('wasm');
  const { net } = await loadNetFromFile('mnist');
  const reference = openReference(join(PROJECT_ROOT, 'public', 'models', 'mnist'))!;
  const { heldOut } = loadMnistSplit();
  const index = Number(flags.digit ?? 3);
  const x = tf.tensor4d(heldOut.images.subarray(index * PIXELS, (index + 1) * PIXELS), [1, 28, 28, 1]);
  const target = heldOut.labels[index];
  const iterations = Number(flags.iterations ?? 1500);
  const lineSearch = Number(flags['line-search'] ?? 3);
  const ranks = (flags.ranks ?? '5,10,30,64').split(',').map(Number);
  const configs: Array<{ mode: 'diag' | 'lowrank'; rank: number }> = [{ mode: 'diag', rank: 0 }, ...ranks.map((rank) => ({ mode: 'lowrank' as const, rank }))];
  const rows: Array<Record<string, string>> = [];
  for (const { mode, rank } of configs) {
    const batch = tf.tidy(() => tf.tile(x, [rank + 2, 1, 1, 1])) as tf.Tensor4D;
    const plain = await timeMedian(10, async () => { const g = logitGradient(net, batch, target); await g.data(); g.dispose(); });
    batch.dispose();
    const times: number[] = [];
    const objectives: number[] = [];
    const tries: number[] = [];
    const t0 = performance.now();
    // The full budget (no early stop), as the reference code: the table reports where F gets to.
    await runRde(net, x, target, rdeParams.parse({ mode, rank, iterations, lineSearch, plateau: 0 }), {
      reference,
      onIteration: (r) => {
        times.push(performance.now() - t0);
        objectives.push(r.objective);
        tries.push(r.tries);
      },
    });
    const total = times[times.length - 1];
    const final = objectives[objectives.length - 1];
    const within = objectives.findIndex((f) => f - final <= 0.01 * Math.abs(final));
    const perIteration = total / times.length;
    rows.push({
      mode: mode === 'diag' ? 'diagonal' : `low-rank r=${rank}`,
      'ms / iteration': perIteration.toFixed(1),
      'mean line-search tries': (tries.reduce((a, b) => a + b, 0) / tries.length).toFixed(1),
      [`fwd+bwd batch r+2 (ms)`]: plain.toFixed(1),
      ratio: (perIteration / plain).toFixed(1),
      [`F after ${times.length}`]: final.toPrecision(5),
      'iterations to 1%': String(within + 1),
      'seconds to 1%': (times[within] / 1000).toFixed(1),
    });
    console.error(`done: ${rows[rows.length - 1].mode}`);
  }
  x.dispose();
  console.log(`digit #${index} of the held-out set (class ${target}), λ = 0.5 (reference scaling), s0 = 0.25, Armijo PGD, ${iterations} iterations`);
  printTable(rows);
}

async function main() {
  const { positional, flags } = parseFlags(process.argv.slice(2));
  const suite = positional[0] ?? 'basics';
  const repeat = Number(flags.repeat ?? 20);
  console.log(`Node ${process.version}, tfjs ${tf.version.tfjs}, suite ${suite}`);
  if (suite === 'basics') await basics(repeat);
  else if (suite === 'rde') await rde(flags);
  else if (suite === 'methods') await (await import('./benchMethods')).benchMethods(flags);
  else if (suite === 'rde-cost') await (await import('./benchRdeCost')).rdeCost(flags);
  else if (suite === 'rde-ui') await (await import('./benchRdeUi')).benchRdeUi(flags);
  else if (suite === 'estimates') await (await import('./benchEstimates')).benchEstimates();
  else if (suite === 'evaluate') await (await import('./benchEvaluate')).benchEvaluate(flags);
  else if (suite === 'rde-check') await (await import('./benchRdeCheck')).benchRdeCheck(flags);
  else if (suite === 'attack') await (await import('./benchAttack')).benchAttack(flags);
  else throw new Error(`Unknown benchmark suite "${suite}". Known: basics, rde, rde-cost, methods, rde-ui, estimates, evaluate, rde-check, attack`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
