// How accurate each ADF mode is: E[Φ(y)], Var[Φ(y)] and D(s) of diag, low-rank and
// low-rank + diagonal against Monte Carlo, for held-out digits and several masks s.
// Resumable: every (digit, mask) result is appended as one JSON line to --out, and rows
// already there are skipped, so a long run can be spread over several sessions.
// Usage: npm run adf-accuracy -- [--digits 20] [--samples 100000] [--rank 30] [--shard k/n] [--out docs/data/adf-accuracy.jsonl] [--table]
// --shard k/n takes every n-th digit starting at the k-th, so n processes can share the cores
// (tfjs-wasm is single-threaded in Node); each appends whole lines to the same file.
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setupNodeBackend } from '../src/core/tf/node';
import { loadNetFromFile, PROJECT_ROOT } from '../src/node/modelFiles';
import { openReference } from '../src/node/studioSession';
import { loadMnistSplit, PIXELS } from '../src/node/mnistData';
import { parseFlags } from '../src/node/flags';
import { scoreMoments, type DistortionReport } from '../src/core/rde/scoreMoments';
import { mulberry32 } from '../src/core/util/random';

interface Row {
  digit: number;
  mask: string;
  rank: number;
  samples: number;
  mc: DistortionReport;
  adf: Record<'diag' | 'lowrank' | 'lowrank-diag', DistortionReport & { milliseconds: number }>;
  mcMilliseconds: number;
}

const MASKS = ['0', '0.25', '0.5', '0.75', '1', 'random'];

function maskValues(mask: string, digit: number): Float32Array {
  if (mask !== 'random') return new Float32Array(PIXELS).fill(Number(mask));
  const rand = mulberry32(1000 + digit);
  return Float32Array.from({ length: PIXELS }, () => rand());
}

function readRows(path: string): Row[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
}

function summarise(rows: Row[]): void {
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.floor(s.length / 2)] : NaN;
  };
  console.log(`${new Set(rows.map((r) => r.digit)).size} digits, ${rows.length} (digit, mask) pairs, Monte Carlo with ${rows[0]?.samples} samples, rank ${rows[0]?.rank}`);
  console.log('| mask | mode | median rel. error E[Φ(y)] | median rel. error Var[Φ(y)] | median rel. error D(s) (s = 1: absolute) | ms per evaluation |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const mask of MASKS) {
    const subset = rows.filter((r) => r.mask === mask);
    if (!subset.length) continue;
    for (const mode of ['diag', 'lowrank', 'lowrank-diag'] as const) {
      const e = median(subset.map((r) => rel(r.adf[mode].mean, r.mc.mean)));
      const v = mask === '1' ? NaN : median(subset.map((r) => rel(r.adf[mode].variance, r.mc.variance)));
      // At s = 1 the true D is 0, so its error is given in absolute terms.
      const d = median(subset.map((r) => (mask === '1' ? Math.abs(r.adf[mode].distortion) : rel(r.adf[mode].distortion, r.mc.distortion))));
      const ms = median(subset.map((r) => r.adf[mode].milliseconds));
      console.log(`| ${mask} | ${mode} | ${e.toExponential(2)} | ${Number.isNaN(v) ? '— (no noise)' : v.toExponential(2)} | ${d.toExponential(2)} | ${ms.toFixed(0)} |`);
    }
  }
  console.log(`Monte Carlo: median ${(median(rows.filter((r) => r.mask !== '1').map((r) => r.mcMilliseconds)) / 1000).toFixed(0)} s per (digit, mask).`);
}

async function main() {
  const { flags } = parseFlags(process.argv.slice(2));
  const out = flags.out ?? join(PROJECT_ROOT, 'docs', 'data', 'adf-accuracy.jsonl');
  if (flags.table) {
    summarise(readRows(out));
    return;
  }
  const digits = Number(flags.digits ?? 20);
  const samples = Number(flags.samples ?? 100_000);
  const rank = Number(flags.rank ?? 30);
  await setupNodeBackend('wasm');
  const { net } = await loadNetFromFile('mnist');
  const reference = openReference(join(PROJECT_ROOT, 'public', 'models', 'mnist'))!;
  const { heldOut } = loadMnistSplit();
  mkdirSync(dirname(out), { recursive: true });
  const done = new Set(readRows(out).filter((r) => r.samples === samples && r.rank === rank).map((r) => `${r.digit}/${r.mask}`));
  // Two digits of each class, spread over the held-out set.
  const [shard, shards] = (flags.shard ?? '0/1').split('/').map(Number);
  if (!(shards >= 1 && shard >= 0 && shard < shards)) throw new Error(`--shard must be k/n with 0 <= k < n (got ${flags.shard}).`);
  const picks = Array.from({ length: digits }, (_, k) => (k % 10) * 200 + Math.floor(k / 10) * 7).filter((_, k) => k % shards === shard);
  for (const digit of picks) {
    const x = tf.tensor4d(heldOut.images.subarray(digit * PIXELS, (digit + 1) * PIXELS), [1, 28, 28, 1]);
    const target = heldOut.labels[digit];
    for (const mask of MASKS) {
      if (done.has(`${digit}/${mask}`)) continue;
      const s = tf.tensor4d(maskValues(mask, digit), [1, 28, 28, 1]);
      const adf = {} as Row['adf'];
      for (const mode of ['diag', 'lowrank', 'lowrank-diag'] as const) {
        const t0 = performance.now();
        const report = await scoreMoments(net, x, target, s, reference, { mode, rank: mode === 'diag' ? 0 : rank });
        adf[mode] = { ...report, milliseconds: performance.now() - t0 };
      }
      const t0 = performance.now();
      // With s = 1 there is no noise: y = x exactly, so the truth needs no sampling.
      const mc: DistortionReport = mask === '1'
        ? { mode: 'mc', rank, target, phiX: adf.diag.phiX, mean: adf.diag.phiX, variance: 0, distortion: 0, samples: 0 }
        : await scoreMoments(net, x, target, s, reference, { mode: 'mc', rank, samples, seed: digit });
      const row: Row = { digit, mask, rank, samples, mc, adf, mcMilliseconds: performance.now() - t0 };
      appendFileSync(out, JSON.stringify(row) + '\n');
      console.error(`digit ${digit} mask ${mask}: D mc ${mc.distortion.toPrecision(4)}, diag ${adf.diag.distortion.toPrecision(4)}, lowrank ${adf.lowrank.distortion.toPrecision(4)}, lowrank-diag ${adf['lowrank-diag'].distortion.toPrecision(4)}`);
      s.dispose();
    }
    x.dispose();
  }
  summarise(readRows(out).filter((r) => r.samples === samples && r.rank === rank));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
