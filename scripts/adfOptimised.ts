// How accurate is ADF at the masks RDE itself returns (issue 17)? For each bundled digit and each
// configuration, RDE runs at the studio's defaults (λ 0.5, reference rate term, seed 1) and the
// finished mask's D(s) is re-estimated by Monte Carlo (core/rde/verify.ts, seed 1, the run's rank,
// until the standard error is under 2 % of D). The refinement rows continue the same ADF run on a
// Monte-Carlo D with fixed draws (refine 30, samples 64); their ADF stage is bit for bit the plain
// row's mask of the same digit, mode and rank, so "before" and "after" are paired by digit.
// Resumable: one JSON line per (digit, configuration) is appended to --out; lines already there
// are skipped. --shard k/n takes every n-th digit from the k-th (tfjs-wasm is single-threaded).
// Usage: npm run adf-optimised -- [--shard k/n] [--configs name,name] [--out docs/data/adf-optimised.jsonl] [--table]
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setupNodeBackend } from '../src/core/tf/node';
import { PROJECT_ROOT } from '../src/node/modelFiles';
import { openModel, imageInput, inputTensor } from '../src/node/studioSession';
import { parseFlags } from '../src/node/flags';
import { runRde } from '../src/core/rde/rde';
import { rdeParams, type RdeMode } from '../src/core/rde/params';
import { verifyDistortion } from '../src/core/rde/verify';
import { rateWeight } from '../src/core/rde/rateTerm';
import { median } from '../src/core/util/median';

interface Config { name: string; mode: Exclude<RdeMode, 'mc'>; rank: number; refine: number; samples: number }

const config = (mode: Config['mode'], rank: number, refine = 0): Config => ({
  name: `${mode}${mode === 'diag' ? '' : ` r${rank}`}${refine ? ` + refine ${refine}` : ''}`, mode, rank, refine, samples: 64,
});

// Order: the rows the refinement comparison needs first, the slowest (rank 64) last.
export const CONFIGS: Config[] = [
  config('diag', 0), config('lowrank-diag', 30), config('diag', 0, 30), config('lowrank-diag', 30, 30),
  config('lowrank', 10), config('lowrank-diag', 10), config('lowrank', 30), config('lowrank-diag', 64), config('lowrank', 64),
];
const TABLE_ORDER = ['diag', 'lowrank r10', 'lowrank r30', 'lowrank r64', 'lowrank-diag r10', 'lowrank-diag r30', 'lowrank-diag r64', 'diag + refine 30', 'lowrank-diag r30 + refine 30'];

const DIGITS = Array.from({ length: 20 }, (_, k) => `${Math.floor(k / 2)}-${k % 2}`);

interface Row {
  digit: string;
  config: string;
  mode: string;
  rank: number;
  refine: number;
  samples: number;
  lambda: number;
  seed: number;
  phiX: number;
  /** D by ADF at the ADF mask (for refine rows: the ADF stage's last D). */
  adfD: number;
  /** F by ADF at the ADF mask. */
  adfF: number;
  /** Refine rows: D and F on the refinement's fixed draws at the returned mask (in sample). */
  refinedD?: number;
  refinedF?: number;
  adfIterations: number;
  iterations: number;
  /** ‖s‖₁/d of the returned mask, and the weight of d·rate in F. */
  rate: number;
  rateWeight: number;
  /** Monte-Carlo verification of the returned mask. */
  mcD: number;
  mcSE: number;
  mcSamples: number;
  mcConverged: boolean;
  /** F with D by Monte Carlo, at the returned mask. */
  mcF: number;
  runMs: number;
  verifyMs: number;
}

function readRows(path: string): Row[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
}

const pct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)} %`;

function summarise(rows: Row[]): void {
  const digits = new Set(rows.map((r) => r.digit)).size;
  console.log(`${digits} digits, ${rows.length} (digit, configuration) rows; λ ${rows[0]?.lambda}, seed ${rows[0]?.seed}, verification seed ${rows[0]?.seed}`);
  console.log('');
  console.log('| configuration | digits | median gap (D_ADF − D_MC)/D_MC | worst gap | digits with D_ADF < D_MC | median s.e./D_MC | median samples | median iterations | median run ms | median verify ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const name of TABLE_ORDER) {
    const sub = rows.filter((r) => r.config === name);
    if (!sub.length) continue;
    // For refine rows the gap is that of the D the run reports at the returned mask (in sample).
    const gaps = sub.map((r) => ((r.refinedD ?? r.adfD) - r.mcD) / r.mcD);
    const worst = gaps.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
    console.log(`| ${name} | ${sub.length} | ${pct(median(gaps))} | ${pct(worst)} | ${gaps.filter((g) => g < 0).length} of ${sub.length} | ${(100 * median(sub.map((r) => r.mcSE / r.mcD))).toFixed(2)} % | ${median(sub.map((r) => r.mcSamples))} | ${median(sub.map((r) => r.iterations))} | ${median(sub.map((r) => r.runMs)).toFixed(0)} | ${median(sub.map((r) => r.verifyMs)).toFixed(0)} |`);
  }
  console.log('');
  console.log('Refinement, paired by digit: F by Monte Carlo (verification draws) at the ADF mask (before) and at the refined mask (after).');
  console.log('');
  console.log('| mode | pairs | median F_MC before | median F_MC after | median change | mean change | improved | worst change | median gap before → after | median D_MC before → after | median rate before → after |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [plain, refined] of [['diag', 'diag + refine 30'], ['lowrank-diag r30', 'lowrank-diag r30 + refine 30']]) {
    const pairs = rows.filter((r) => r.config === refined).flatMap((a) => {
      const b = rows.find((r) => r.config === plain && r.digit === a.digit);
      return b ? [{ before: b, after: a }] : [];
    });
    if (!pairs.length) continue;
    const rel = pairs.map(({ before, after }) => (after.mcF - before.mcF) / before.mcF);
    const worst = Math.max(...rel);
    const gapB = pairs.map(({ before }) => (before.adfD - before.mcD) / before.mcD);
    const gapA = pairs.map(({ after }) => ((after.refinedD ?? after.adfD) - after.mcD) / after.mcD);
    // The ADF stage of the refine run must be the plain run's mask: same ADF objective.
    const mismatched = pairs.filter(({ before, after }) => Math.abs(before.adfF - after.adfF) > 1e-9 * Math.abs(before.adfF)).length;
    console.log(`| ${plain} | ${pairs.length} | ${median(pairs.map((p) => p.before.mcF)).toFixed(3)} | ${median(pairs.map((p) => p.after.mcF)).toFixed(3)} | ${pct(median(rel))} | ${pct(rel.reduce((a, b) => a + b, 0) / rel.length)} | ${rel.filter((v) => v < 0).length} of ${pairs.length} | ${pct(worst)} | ${pct(median(gapB))} → ${pct(median(gapA))} | ${median(pairs.map((p) => p.before.mcD)).toFixed(3)} → ${median(pairs.map((p) => p.after.mcD)).toFixed(3)} | ${median(pairs.map((p) => p.before.rate)).toFixed(3)} → ${median(pairs.map((p) => p.after.rate)).toFixed(3)} |${mismatched ? ` (${mismatched} pairs whose ADF stage differs from the plain run)` : ''}`);
  }
  console.log('');
  console.log('Per-digit F_MC change (refined − ADF mask), relative, with the paired standard errors (√(se_before² + se_after²)/F_before):');
  for (const [plain, refined] of [['diag', 'diag + refine 30'], ['lowrank-diag r30', 'lowrank-diag r30 + refine 30']]) {
    const parts = DIGITS.flatMap((digit) => {
      const a = rows.find((r) => r.config === refined && r.digit === digit);
      const b = rows.find((r) => r.config === plain && r.digit === digit);
      if (!a || !b) return [];
      return [`${digit} ${pct((a.mcF - b.mcF) / b.mcF)} (±${(100 * Math.hypot(a.mcSE, b.mcSE) / b.mcF).toFixed(1)} %)`];
    });
    if (parts.length) console.log(`- ${plain}: ${parts.join(', ')}`);
  }
}

async function main() {
  const { flags } = parseFlags(process.argv.slice(2));
  const out = flags.out ?? join(PROJECT_ROOT, 'docs', 'data', 'adf-optimised.jsonl');
  if (flags.table) {
    summarise(readRows(out));
    return;
  }
  const [shard, shards] = (flags.shard ?? '0/1').split('/').map(Number);
  if (!(shards >= 1 && shard >= 0 && shard < shards)) throw new Error(`--shard must be k/n with 0 <= k < n (got ${flags.shard}).`);
  const wanted = flags.configs ? flags.configs.split(',').map((s) => s.trim()) : CONFIGS.map((c) => c.name);
  for (const name of wanted) if (!CONFIGS.some((c) => c.name === name)) throw new Error(`Unknown configuration "${name}"; known: ${CONFIGS.map((c) => c.name).join(', ')}.`);
  const configs = CONFIGS.filter((c) => wanted.includes(c.name));
  await setupNodeBackend('wasm');
  const m = await openModel('mnist');
  if (!m.reference) throw new Error('The mnist model has no reference distribution.');
  mkdirSync(dirname(out), { recursive: true });
  const done = new Set(readRows(out).map((r) => `${r.digit}/${r.config}`));
  const digits = DIGITS.filter((_, k) => k % shards === shard);
  for (const c of configs) {
    for (const digit of digits) {
      if (done.has(`${digit}/${c.name}`)) continue;
      const x = inputTensor(imageInput(join(PROJECT_ROOT, 'public', 'digits', `digit-${digit}.png`), m.meta));
      const target = Number(digit[0]);
      const p = rdeParams.parse({ mode: c.mode, rank: c.rank, refine: c.refine, samples: c.samples });
      const t0 = performance.now();
      const run = await runRde(m.net, x, target, p, { reference: m.reference, seed: 1 });
      const t1 = performance.now();
      const s = tf.tensor4d(run.relevance, x.shape);
      const v = await verifyDistortion(m.net, x, target, s, m.reference, { rank: p.rank, seed: 1 });
      const t2 = performance.now();
      const d = x.size;
      s.dispose();
      x.dispose();
      const e = run.extras as Record<string, number>;
      const w = rateWeight(p.regulariser, p.lambda, e.phiX, d) * d;
      const refined = c.refine > 0 && e.adfIterations !== undefined;
      const row: Row = {
        digit, config: c.name, mode: c.mode, rank: c.rank, refine: c.refine, samples: c.samples, lambda: p.lambda, seed: 1,
        phiX: e.phiX,
        adfD: refined ? e.adfDistortion : e.distortion,
        adfF: refined ? e.adfObjective : e.objective,
        ...(refined ? { refinedD: e.distortion, refinedF: e.objective } : {}),
        adfIterations: refined ? e.adfIterations : e.iterations,
        iterations: e.iterations,
        rate: e.rate, rateWeight: w,
        mcD: v.distortion, mcSE: v.standardError, mcSamples: v.samples, mcConverged: v.converged,
        mcF: v.distortion + w * e.rate,
        runMs: Math.round(t1 - t0), verifyMs: Math.round(t2 - t1),
      };
      appendFileSync(out, JSON.stringify(row) + '\n');
      console.error(`${digit} ${c.name}: D adf ${row.adfD.toPrecision(4)}${refined ? ` refined ${e.distortion.toPrecision(4)}` : ''}, mc ${v.distortion.toPrecision(4)} ± ${v.standardError.toPrecision(2)} (${v.samples}), F mc ${row.mcF.toPrecision(4)}, ${row.runMs} + ${row.verifyMs} ms`);
    }
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
