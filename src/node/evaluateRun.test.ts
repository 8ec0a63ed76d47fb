// `npm run evaluate` in-process on a tiny setting (3 digits, 2 cheap methods, N = 8, 3 points):
// shards merged equal one run, an interrupted run resumes to the same file, the summary's numbers
// follow from the lines, the sanity table, and the refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../core/tf/node';
import { cascadingRandomisation, sanityVerdict, type SanityResult } from '../core/evaluate/sanity';
import { gradientMethod } from '../core/methods/gradient';
import { loadMnistSplit, PIXELS } from './mnistData';
import { openModel } from './studioSession';
import { imageSeed, meanAndStderr, runEvaluate, selectDigits, SANITY_COLUMNS, SUMMARY_COLUMNS, type ResultLine, type RunDeps } from './evaluateRun';

let root: string;
let mnist: Awaited<ReturnType<typeof openModel>>;
const deps: RunDeps = {
  openModel: async (model) => model === 'opaque'
    ? { ...mnist, meta: { ...mnist.meta, id: 'opaque' }, reference: undefined, net: { ...mnist.net, unsupported: [{ name: 'lambda_1', className: 'Lambda' }] } }
    : mnist,
};
const TINY = ['--per-class', '1', '--images', '3', '--methods', 'gradient,random', '--samples', '8', '--step', '98', '--max-rate', '0.25', '--seed', '3'];

async function evaluate(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runEvaluate(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, deps);
  return { code, out, err };
}

/** Exit code 1 and `error: <message>` as the last line on stderr (a RegExp matches the message). */
async function expectError(argv: string[], message: string | RegExp): Promise<void> {
  const r = await evaluate(...argv);
  const last = r.err.at(-1) ?? '';
  if (typeof message === 'string') expect(last).toBe(`error: ${message}`);
  else expect(last.replace(/^error: /, '')).toMatch(message);
  expect(r.code).toBe(1);
}

const folder = (name: string) => join(root, name);
const lines = (dir: string): ResultLine[] => readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
/** The file without the wall times, the one thing two runs of the same items may not share. */
const withoutTimes = (dir: string) => lines(dir).map(({ milliseconds: _, ...rest }) => JSON.stringify(rest)).join('\n');

beforeAll(async () => {
  await setupNodeBackend('wasm');
  mnist = await openModel('mnist');
  root = mkdtempSync(join(tmpdir(), 'evaluate-run-'));
  const whole = await evaluate(...TINY, '--out', folder('whole'));
  expect(whole.err.filter((l) => l.startsWith('error'))).toEqual([]);
  expect(whole.code).toBe(0);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('npm run evaluate', () => {
  it('writes one line per digit × method, in selection order, with the seeds of the digit\'s index', () => {
    const got = lines(folder('whole'));
    expect(selectDigits(1, 3)).toEqual([{ position: 0, index: 0, label: 0 }, { position: 1, index: 200, label: 1 }, { position: 2, index: 400, label: 2 }]);
    expect(got.map((l) => [l.image, l.method, l.seed])).toEqual([
      [0, 'gradient', 3], [0, 'random', 3], [200, 'gradient', 403], [200, 'random', 403], [400, 'gradient', 803], [400, 'random', 803],
    ]);
    expect(imageSeed(3, 200)).toBe(403);
    for (const l of got) {
      expect(l.target).toBe(l.label);
      expect(l.curve!.kept).toEqual([0, 98, 196]);
      expect(l.curve!.distortion).toHaveLength(3);
      expect(l.passes!.curve).toBe(24);
      expect(Object.keys(l.auc!)).toEqual(['r5', 'r20', 'all']);
    }
    for (const name of ['run.json', 'summary.csv', 'curves.svg', 'curves.png']) expect(existsSync(join(folder('whole'), name))).toBe(true);
    const svg = readFileSync(join(folder('whole'), 'curves.svg'), 'utf8');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<polygon /g)).toHaveLength(2);
    expect(svg).toContain('Rate: components kept from x, % of d');
    expect(svg).toContain('Distortion (p(y) − p(x))², probability²');
  });

  it('keeps its maps in maps.jsonl; another protocol reuses them with --maps-from, the same maps, no explain time', async () => {
    const maps = readFileSync(join(folder('whole'), 'maps.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(maps.map((m) => [m.image, m.method, m.seed, m.relevance.length])).toEqual(lines(folder('whole')).map((l) => [l.image, l.method, l.seed, PIXELS]));
    const r = await evaluate(...TINY, '--protocol', 'studio', '--rank', '2', '--maps-from', folder('whole'), '--out', folder('studio'));
    expect(r.code).toBe(0);
    const studio = lines(folder('studio'));
    expect(studio.every((l) => l.mapReused === true && l.milliseconds!.explain === 0 && l.passes!.explain === null)).toBe(true);
    const again = readFileSync(join(folder('studio'), 'maps.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(again.map((m) => m.relevance)).toEqual(maps.map((m) => m.relevance));
    await expectError([...TINY, '--rank', '2', '--out', folder('paper-rank')], '--rank applies only to --protocol studio (the paper protocol fills with uniform noise, not V).');
    await expectError([...TINY, '--maps-from', folder('nowhere'), '--out', folder('x')], `--maps-from ${folder('nowhere')} is not a folder.`);
  });

  it('2 shards merged equal the unsharded run bit for bit (wall times aside)', async () => {
    const dir = folder('sharded');
    const s1 = await evaluate(...TINY, '--shard', '1/2', '--out', dir);
    expect(s1.code).toBe(0);
    await expectError(['merge', '--out', dir], `Shard 0/2 of 2 has no file in ${dir} yet.`);
    const s0 = await evaluate(...TINY, '--shard', '0/2', '--out', dir);
    expect(s0.err[0]).toMatch(/^4 items \(2 digits × 2 methods, shard 0\/2\), 0 already in /);
    const merged = await evaluate('merge', '--out', dir);
    expect(merged.out).toEqual([`merged 6 items (2 methods) into ${join(dir, 'results.jsonl')}; wrote summary.csv and curves.svg and curves.png`]);
    expect(withoutTimes(dir)).toBe(withoutTimes(folder('whole')));
    const csvNoTimes = (d: string) => readFileSync(join(d, 'summary.csv'), 'utf8').split('\n').map((r) => r.split(',').slice(0, -2).join(','));
    expect(csvNoTimes(dir)).toEqual(csvNoTimes(folder('whole')));
  }, 60_000);

  it('resumes an interrupted run: the half-written line is dropped, done items are skipped, the result is the same', async () => {
    const dir = folder('resumed');
    await evaluate(...TINY, '--out', dir);
    const path = join(dir, 'results.jsonl');
    const text = readFileSync(path, 'utf8');
    const cut = text.split('\n').slice(0, 3).join('\n').length + 1 + 40;
    truncateSync(path, cut);
    const again = await evaluate(...TINY, '--out', dir);
    expect(again.err[0]).toMatch(/^6 items \(3 digits × 2 methods\), 3 already in /);
    expect(again.code).toBe(0);
    expect(withoutTimes(dir)).toBe(withoutTimes(folder('whole')));
    const keys = lines(dir).map((l) => `${l.image} ${l.method}`);
    expect(new Set(keys).size).toBe(keys.length);
    // A finished run asked again computes nothing.
    const third = await evaluate(...TINY, '--out', dir);
    expect(third.err[0]).toMatch(/, 6 already in /);
  }, 60_000);

  it('summary.csv holds the mean AUCs and their standard errors over digits, recomputed here from the lines', () => {
    const [header, ...rows] = readFileSync(join(folder('whole'), 'summary.csv'), 'utf8').trim().split('\n').map((r) => r.split(','));
    expect(header).toEqual([...SUMMARY_COLUMNS]);
    expect(rows.map((r) => r[0])).toEqual(['gradient', 'random']);
    const all = lines(folder('whole'));
    for (const row of rows) {
      const cell = (name: (typeof SUMMARY_COLUMNS)[number]) => Number(row[header.indexOf(name)]);
      const mine = all.filter((l) => l.method === row[0]);
      expect(cell('images')).toBe(3);
      expect(cell('errors')).toBe(0);
      for (const key of ['r5', 'r20', 'all'] as const) {
        const values = mine.map((l) => l.auc![key]!);
        const mean = values.reduce((a, b) => a + b, 0) / 3;
        const se = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / 2 / 3);
        // Printed at full double precision; summation order may move the last bit.
        expect(Math.abs(cell(`auc_${key}_mean`) - mean)).toBeLessThanOrEqual(1e-15 * Math.abs(mean) + 1e-18);
        expect(Math.abs(cell(`auc_${key}_stderr`) - se)).toBeLessThanOrEqual(1e-12 * se + 1e-18);
      }
      expect(cell('curve_ms_mean')).toBe(Math.round(mine.reduce((a, l) => a + l.milliseconds!.curve, 0) / 3));
    }
    expect(meanAndStderr([1, 2, 3])).toEqual({ mean: 2, stderr: Math.sqrt(1 / 3) });
    expect(meanAndStderr([5])).toEqual({ mean: 5, stderr: null });
  });

  it('a method that cannot run on the model gets its reason in its line and in the summary; the others run', async () => {
    const dir = folder('opaque');
    const r = await evaluate('--model', 'opaque', '--per-class', '1', '--images', '1', '--methods', 'lrp,random', '--samples', '4', '--step', '392', '--out', dir);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`merged 2 items (2 methods, 1 failed) into ${join(dir, 'results.jsonl')}; wrote summary.csv and curves.svg and curves.png`]);
    const [lrp, random] = lines(dir);
    expect(lrp.error).toBe('LRP needs every layer in the network IR; not expressible: lambda_1 (Lambda).');
    expect(random.curve!.kept).toEqual([0, 392, 784]);
    expect(readFileSync(join(dir, 'summary.csv'), 'utf8').split('\n')[1]).toBe('lrp,0,1,,,,,,,0,0');
  }, 30_000);

  it('sanity writes, per method and layers randomised, the mean correlations and a verdict', async () => {
    const dir = folder('sanity');
    const r = await evaluate('sanity', '--images', '2', '--methods', 'gradient,random', '--out', dir);
    expect(r.code).toBe(0);
    const [header, ...rows] = readFileSync(join(dir, 'sanity.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(header).toEqual([...SANITY_COLUMNS]);
    const layers = rows.filter((row) => row[0] === 'gradient').length;
    expect(layers).toBeGreaterThan(1);
    expect(rows.map((row) => [row[0], Number(row[1])])).toEqual([...Array.from({ length: layers }, (_, i) => ['gradient', i + 1]), ...Array.from({ length: layers }, (_, i) => ['random', i + 1])]);
    // The random map ignores the model: identical maps, correlation 1, it fails.
    for (const row of rows.filter((x) => x[0] === 'random')) {
      expect(Number(row[4])).toBe(1);
      expect(row[7]).toBe('fails');
    }
    // Gradient recomputed here through core, on the same digits and seeds: the rows are its means.
    const { heldOut } = loadMnistSplit();
    const results: SanityResult[] = [];
    for (const d of selectDigits(1, 2)) {
      const x = tf.tensor4d(heldOut.images.subarray(d.index * PIXELS, (d.index + 1) * PIXELS), [1, 28, 28, 1]);
      const seed = imageSeed(0, d.index);
      results.push(await cascadingRandomisation(mnist.net, x, d.label, async (n, xx, t) => (await gradientMethod.explain(n, xx, t, gradientMethod.params.parse({}), { seed })).relevance, { seed, initialisers: mnist.initialisers }));
      x.dispose();
    }
    const passing = results.filter((res) => sanityVerdict(res).passes).length;
    rows.filter((x) => x[0] === 'gradient').forEach((row, i) => {
      expect(row[2]).toBe(results[0].layers[i]);
      expect(Number(row[4])).toBeCloseTo((results[0].steps[i].spearmanAbs + results[1].steps[i].spearmanAbs) / 2, 12);
      expect(Number(row[5])).toBeCloseTo((results[0].steps[i].spearman + results[1].steps[i].spearman) / 2, 12);
      expect(Number(row[6])).toBeCloseTo((results[0].steps[i].ssim + results[1].steps[i].ssim) / 2, 12);
      expect(row[7]).toBe(passing === 2 ? 'passes' : passing === 0 ? 'fails' : `mixed: passes on ${passing} of 2`);
    });
    // Measured: with the top layer re-drawn the gradient's |R| ranking is already far from the
    // original (mean Spearman 0.30 on these two digits; bound 0.5, the verdict's threshold).
    expect(Number(rows[0][4])).toBeLessThan(0.5);
  }, 60_000);

  it('refuses bad shards, sizes, protocols without V, changed settings and unknown commands', async () => {
    const dir = folder('bad');
    await expectError([...TINY, '--shard', '2/2', '--out', dir], '--shard must be k/n with 0 ≤ k < n (e.g. 0/2, 1/2); got 2/2.');
    await expectError([...TINY.slice(2), '--per-class', '0', '--out', dir], '--per-class must be an integer from 1 to 200; got 0.');
    await expectError(['--methods', 'gradient', '--samples', '0', '--out', dir], '--samples must be an integer from 1 to 4096; got 0.');
    await expectError(['--methods', 'gradient', '--step', '785', '--out', dir], 'The step g = 785 is larger than the input\'s 784 components.');
    await expectError(['--model', 'opaque', '--methods', 'gradient', '--protocol', 'studio', '--out', dir],
      'The model opaque has no reference distribution V, which the studio protocol draws its noise from; use the paper protocol (uniform noise), or add a reference.json beside the model.');
    await expectError(['--methods', 'nope', '--out', dir], /^Unknown method "nope"\. Known: gradient, .*, random\.$/);
    await expectError([...TINY.slice(0, -2), '--seed', '4', '--out', folder('whole')], / holds a run with other settings \(.*"baseSeed":3.*\); give another --out, or the same settings\.$/);
    await expectError(['merge', '--out', dir], `${dir} holds no run (no run.json); run an evaluation into it first.`);
    await expectError(['mrege', '--out', dir], 'Unknown command "mrege": run without one, or name merge or sanity.');
    const help = await evaluate('help');
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/^usage: npm run evaluate -- \[merge \| sanity\] /);
    expect(help.out[0]).toContain('--shard      this process takes the digits at positions ≡ k (mod n)');
    writeFileSync(join(root, 'afile'), '');
    await expectError([...TINY, '--out', join(root, 'afile')], `--out ${join(root, 'afile')} is a file; give a folder.`);
  }, 30_000);
});
