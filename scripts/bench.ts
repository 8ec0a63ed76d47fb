// Benchmarks that print tables (never timed tests). Usage: npm run bench [-- basics] [--repeat 20]
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../src/core/tf/node';
import { classify, forwardLogits } from '../src/core/net/forward';
import { logitGradient } from '../src/core/methods/gradient';
import { preprocessMnist } from '../src/core/image/mnistPreprocess';
import { loadNetFromFile } from '../src/node/modelFiles';
import { loadMnistSplit, PIXELS } from '../src/node/mnistData';
import { parseFlags } from '../src/node/flags';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(repeat: number, fn: () => Promise<void> | void): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function table(rows: Array<Record<string, string>>): void {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  console.log(line(cols));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

async function basics(repeat: number) {
  const { heldOut } = loadMnistSplit();
  const rows: Array<Record<string, string>> = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await setupNodeBackend(backend);
    const { net, model } = await loadNetFromFile('mnist');
    const x1 = tf.tensor4d(heldOut.images.subarray(0, PIXELS), [1, 28, 28, 1]);
    const x64 = tf.tensor4d(heldOut.images.subarray(0, 64 * PIXELS), [64, 28, 28, 1]);
    const row = (what: string, ms: number) => rows.push({ backend, operation: what, 'median ms': ms.toFixed(2) });
    row('classify, batch 1', await timeIt(repeat, async () => { await classify(net, x1); }));
    row('forward, batch 64', await timeIt(repeat, async () => { const y = forwardLogits(net, x64); await y.data(); y.dispose(); }));
    row('gradient map, batch 1', await timeIt(repeat, async () => { const g = logitGradient(net, x1, 3); await g.data(); g.dispose(); }));
    row('gradient, batch 64', await timeIt(Math.max(3, repeat / 4), async () => { const g = logitGradient(net, x64, 3); await g.data(); g.dispose(); }));
    x1.dispose();
    x64.dispose();
    model.dispose();
  }
  const size = 1024;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let y = 200; y < 800; y++) for (let x = 450; x < 560; x++) data.set([0, 0, 0, 255], (y * size + x) * 4);
  rows.push({ backend: '(none)', operation: 'MNIST preprocessing of 1024 x 1024 RGBA', 'median ms': (await timeIt(repeat, () => { preprocessMnist({ width: size, height: size, data }); })).toFixed(2) });
  table(rows);
}

async function main() {
  const { positional, flags } = parseFlags(process.argv.slice(2));
  const suite = positional[0] ?? 'basics';
  const repeat = Number(flags.repeat ?? 20);
  console.log(`Node ${process.version}, tfjs ${tf.version.tfjs}, suite ${suite}, median of ${repeat} runs after one warm-up`);
  if (suite === 'basics') await basics(repeat);
  else throw new Error(`Unknown benchmark suite "${suite}". Known: basics`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
