// The fragility study (issue 15; docs/fragility.md): over N held-out MNIST digits (the `mnist`
// package's digits the model was not trained on, src/node/mnistData.ts), for each method and
// ε ∈ {1, 2, 4, 8}/255 of the input range, the attack (core/attacks) and the random-sign baseline
// at the same ε, with the top-k intersection, Spearman, centre shift and SSIM of each, and whether
// the class was kept. Digit i of the study is held-out digit (i mod 10)·200 + ⌊i/10⌋: class by
// class, so any N is class-balanced to within one.
// Resumable: one JSON line per (digit, method, ε) is appended to --out; lines already there are
// skipped. --shard k/n takes every n-th digit from the k-th (tfjs-wasm is single-threaded).
// Usage: npm run fragility -- [--digits 50] [--methods gradient,lrp,rde:iterations=30] [--attack topk]
//   [--iterations 30] [--kind gradient|black-box] [--epsilons 1,2,4,8] [--shard k/n] [--out docs/data/fragility.jsonl] [--table] [--figure docs/fragility.svg]
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../src/core/tf/node';
import { runAttack } from '../src/core/attacks/attack';
import { ATTACKS, type AttackName } from '../src/core/attacks/params';
import { classify } from '../src/core/net/forward';
import { PROJECT_ROOT } from '../src/node/modelFiles';
import { openModel } from '../src/node/studioSession';
import { parseFlags } from '../src/node/flags';
import { parseMethodSpec } from '../src/node/evaluation';
import { HELD_OUT_PER_CLASS, loadMnistSplit, PIXELS } from '../src/node/mnistData';
import { renderStudySvg, summariseStudy } from '../src/node/fragilityFigure';

/** Every method the studio can attack; RDE shortened (each black-box iteration is one whole RDE run). */
const DEFAULT_METHODS = 'gradient,gradient-input,smoothgrad,integrated-gradients,guided-backprop,lrp,rde:iterations=30:plateau=0';
const SEED = 1;

interface Measures { topkIntersection: number; spearman: number; massCentreShift: number; ssim: number | null; labelKept: boolean; linf: number }

interface Row {
  digit: number;
  heldOutIndex: number;
  label: number;
  predicted: number;
  method: string;
  kind: string;
  /** The search forced by --kind (absent: automatic). */
  search?: 'gradient' | 'black-box';
  attack: AttackName;
  /** ε as a multiple of 1/255 of the input range. */
  epsilon255: number;
  epsilon: number;
  iterations: number;
  k: number;
  seed: number;
  bestIteration: number;
  attacked: Measures;
  random: Measures;
  ms: number;
}

function readRows(path: string): Row[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
}

/** A row's identity; `search` only when the search was forced (--kind), so earlier rows keep their keys. */
const keyOf = (r: Pick<Row, 'digit' | 'method' | 'attack' | 'epsilon255' | 'iterations' | 'search'>) => `${r.digit}/${r.method}/${r.attack}/${r.epsilon255}/${r.iterations}${r.search ? `/${r.search}` : ''}`;

/** The medians per method, attack and ε: attack against random, and the fraction of attacks that kept the class. */
function summarise(rows: Row[]): void {
  const f = (v: number) => v.toFixed(3);
  console.log('| method | search | iterations | ε (/255) | digits | top-k ∩ attack | top-k ∩ random | attack below random (top-k) | Spearman attack | Spearman random | centre shift attack (px) | centre shift random (px) | class kept: attack | class kept: random |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const g of summariseStudy(rows)) {
    console.log(`| ${g.method} | ${g.kind} | ${g.iterations} | ${g.epsilon255} | ${g.digits} | ${f(g.attacked.topkIntersection)} | ${f(g.random.topkIntersection)} | ${g.belowRandom}/${g.digits} | ${f(g.attacked.spearman)} | ${f(g.random.spearman)} | ${f(g.attacked.massCentreShift)} | ${f(g.random.massCentreShift)} | ${g.keptAttack}/${g.digits} | ${g.keptRandom}/${g.digits} |`);
  }
}

async function main() {
  const { flags } = parseFlags(process.argv.slice(2));
  const out = flags.out ?? join(PROJECT_ROOT, 'docs', 'data', 'fragility.jsonl');
  if (flags.table || flags.figure) {
    const rows = readRows(out).filter((r) => !flags.attack || r.attack === flags.attack);
    if (flags.table) summarise(rows);
    if (flags.figure) {
      const attacks = [...new Set(rows.map((r) => r.attack))].join(', ');
      writeFileSync(flags.figure, renderStudySvg(summariseStudy(rows), `Fragility on held-out MNIST digits: ${attacks} attack against random signs (medians)`) + '\n');
      console.error(`wrote ${flags.figure}`);
    }
    return;
  }
  const count = Number(flags.digits ?? 50);
  if (!Number.isInteger(count) || count < 1 || count > 10 * HELD_OUT_PER_CLASS) throw new Error(`--digits must be a whole number from 1 to ${10 * HELD_OUT_PER_CLASS} (got ${flags.digits}).`);
  const [shard, shards] = (flags.shard ?? '0/1').split('/').map(Number);
  if (!(Number.isInteger(shards) && Number.isInteger(shard) && shards >= 1 && shard >= 0 && shard < shards)) throw new Error(`--shard must be k/n with 0 <= k < n (got ${flags.shard}).`);
  const attack = (flags.attack ?? 'topk') as AttackName;
  if (!ATTACKS.includes(attack)) throw new Error(`--attack must be one of ${ATTACKS.join(', ')} (got ${flags.attack}); the targeted attack needs a target per digit and is not part of the study.`);
  if (attack === 'targeted') throw new Error('--attack targeted needs a target per digit; the study runs topk or masscenter.');
  const iterations = Number(flags.iterations ?? 30);
  const search = flags.kind as Row['search'];
  if (search !== undefined && search !== 'gradient' && search !== 'black-box') throw new Error(`--kind must be gradient or black-box (got ${flags.kind}); leave it out for the automatic choice.`);
  const epsilons = (flags.epsilons ?? '1,2,4,8').split(',').map(Number);
  if (epsilons.some((e) => !(e > 0 && e <= 255))) throw new Error(`--epsilons must be numbers in (0, 255] (multiples of 1/255 of the range); got ${flags.epsilons}.`);
  const specs = (flags.methods ?? DEFAULT_METHODS).split(',').map((s) => parseMethodSpec(s.trim()));

  await setupNodeBackend('wasm');
  const { net, meta, reference } = await openModel('mnist');
  const range = meta.inputRange ?? [0, 1];
  const { heldOut } = loadMnistSplit();
  mkdirSync(dirname(out), { recursive: true });
  const done = new Set(readRows(out).map(keyOf));
  const digits = Array.from({ length: count }, (_, i) => i).filter((i) => i % shards === shard);
  for (const digit of digits) {
    const heldOutIndex = (digit % 10) * HELD_OUT_PER_CLASS + Math.floor(digit / 10);
    const pixels = heldOut.images.slice(heldOutIndex * PIXELS, (heldOutIndex + 1) * PIXELS);
    const label = heldOut.labels[heldOutIndex];
    const x = tf.tensor4d(pixels, [1, 28, 28, 1]);
    const { predicted } = await classify(net, x);
    x.dispose();
    for (const spec of specs) {
      for (const epsilon255 of epsilons) {
        const key = keyOf({ digit, method: spec.spec, attack, epsilon255, iterations, search });
        if (done.has(key)) continue;
        const epsilon = (epsilon255 / 255) * (range[1] - range[0]);
        const t0 = performance.now();
        const r = await runAttack(net, pixels, [28, 28, 1], {
          method: spec.method, methodParams: spec.params, params: { attack, epsilon, iterations, seed: SEED, ...(search ? { kind: search } : {}) }, inputRange: range, reference,
        });
        const measures = (o: typeof r.random & object): Measures => ({ ...o.metrics, labelKept: o.labelKept, linf: o.linf });
        const row: Row = {
          digit, heldOutIndex, label, predicted, method: spec.spec, kind: r.kind, ...(search ? { search } : {}), attack, epsilon255, epsilon, iterations, k: r.k, seed: SEED,
          bestIteration: r.attacked.iteration, attacked: measures(r.attacked), random: measures(r.random!), ms: Math.round(performance.now() - t0),
        };
        appendFileSync(out, JSON.stringify(row) + '\n');
        console.error(`digit ${digit} (class ${label}) ${spec.spec} ε ${epsilon255}/255: top-k ∩ ${row.attacked.topkIntersection.toFixed(3)} (random ${row.random.topkIntersection.toFixed(3)}), Spearman ${row.attacked.spearman.toFixed(3)} (random ${row.random.spearman.toFixed(3)}), ${row.ms} ms`);
      }
    }
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
