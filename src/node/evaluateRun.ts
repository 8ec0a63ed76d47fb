// The headless evaluation over a data set (scripts/evaluate.ts wraps it for the shell):
//   run:    every (digit, method) item's relevance-ordering curve, one JSON line per item, resumable;
//           `--shard k/n` takes the digits at positions ≡ k (mod n) of the selection
//   merge:  joins shard files into results.jsonl, summary.csv and curves.svg (+ .png)
//   sanity: cascading model randomisation per method over the first digits, sanity.csv
// Seeds depend only on the digit's index in the held-out set and the base seed, never on the shard,
// so any split of the work gives the same lines.
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { PAPER_CURVE_SETTINGS, MAX_CURVE_SAMPLES, createCurveEvaluator, curveSettings, curveSettingsProblem, type CurveSettings } from '../core/evaluate/curve';
import { cascadingRandomisation, sanityVerdict, type SanityResult } from '../core/evaluate/sanity';
import { CURVE_PROTOCOLS, type CurveAuc } from '../core/evaluate/types';
import { classify } from '../core/net/forward';
import { methodAvailability } from '../core/methods/registry';
import { setupNodeBackend } from '../core/tf/node';
import { evaluateImage, parseMethodSpecs, type MethodSpec } from './evaluation';
import { checkFlagNames, integerFlag, numberFlag, parseFlagValues, parseFlags } from './flags';
import { HELD_OUT_PER_CLASS, loadMnistSplit, PIXELS } from './mnistData';
import { openModel } from './studioSession';
import { renderCurvesSvg, svgToPng } from './evaluateFigure';

export interface RunIo {
  out(line: string): void;
  err(line: string): void;
  /** Where the progress bar draws (stderr in the shell; none in tests). */
  progress?: NodeJS.WriteStream;
}

export interface RunDeps {
  openModel: typeof openModel;
}

const MAX_SEED = 2 ** 32 - 1;
const MAX_PER_CLASS = HELD_OUT_PER_CLASS;
const CLASSES = 10;

/** The seed of everything random about one digit: its fillings (and tie-break: + 1) and its stochastic maps. */
export function imageSeed(baseSeed: number, imageIndex: number): number {
  return (baseSeed + 2 * imageIndex) % (MAX_SEED + 1);
}

const rateRule = 'must be a number in (0, 1]';
const shardRule = 'must be k/n with 0 ≤ k < n (e.g. 0/2, 1/2)';

const selectionFlags = {
  model: z.string().min(1, { error: 'must name a model' }).default('mnist').describe('the model (default mnist; the held-out set is MNIST\'s)'),
  set: z.enum(['heldout']).default('heldout').describe('the digits: the held-out split of src/node/mnistData.ts'),
  'per-class': integerFlag(1, MAX_PER_CLASS).default(5).describe('the first digits of each class (default 5)'),
  images: integerFlag(1).optional().describe('only the first M digits of the selection (ordered 0, 1, …, 9, 0, 1, …)'),
  methods: z.string().min(1, { error: 'must name methods' }).describe('comma-separated method specs, id or id:name=value:… (random: the baseline map)'),
  seed: integerFlag(0, MAX_SEED).default(0).describe('base seed; digit i uses seed + 2i (default 0)'),
  backend: z.enum(['wasm', 'cpu']).default('wasm').describe('the tfjs backend'),
  out: z.string().min(1, { error: 'must name a folder' }).describe('the output folder (created if missing)'),
};

export const runFlags = z.object({
  ...selectionFlags,
  protocol: z.enum(CURVE_PROTOCOLS).default('paper').describe('the curve protocol (default paper)'),
  samples: integerFlag(1, MAX_CURVE_SAMPLES).default(PAPER_CURVE_SETTINGS.samples).describe(`fillings N (default ${PAPER_CURVE_SETTINGS.samples})`),
  step: integerFlag(1).default(PAPER_CURVE_SETTINGS.step).describe(`components per point g (default ${PAPER_CURVE_SETTINGS.step})`),
  'max-rate': numberFlag(z.number({ error: rateRule }).gt(0, { error: rateRule }).max(1, { error: rateRule })).default(PAPER_CURVE_SETTINGS.maxRate)
    .describe(`largest rate (default ${PAPER_CURVE_SETTINGS.maxRate})`),
  rank: integerFlag(0).default(30).describe('studio protocol: covariance rank of V (default 30)'),
  shard: z.string().regex(/^\d+\/\d+$/, { error: shardRule }).refine((s) => { const [k, n] = s.split('/').map(Number); return n >= 1 && k < n; }, { error: shardRule })
    .optional().describe('this process takes the digits at positions ≡ k (mod n)'),
  'maps-from': z.string().min(1, { error: 'must name a folder' }).optional()
    .describe('reuse the maps an earlier run (same model, digits and base seed) wrote to maps*.jsonl in this folder, e.g. to measure the other protocol'),
});

export const sanityFlags = z.object(selectionFlags);
export const mergeFlags = z.object({ out: selectionFlags.out });

/** The held-out digits evaluated: position p is class p mod 10, its ⌊p/10⌋-th digit. */
export function selectDigits(perClass: number, limit?: number): Array<{ position: number; index: number; label: number }> {
  const picked = [];
  for (let j = 0; j < perClass; j++) {
    for (let c = 0; c < CLASSES; c++) picked.push({ position: picked.length, index: c * HELD_OUT_PER_CLASS + j, label: c });
  }
  return limit === undefined ? picked : picked.slice(0, limit);
}

/** One line of results.jsonl. */
export interface ResultLine {
  position: number;
  image: number;
  label: number;
  target: number;
  method: string;
  seed: number;
  scoreOfX: number;
  curve?: { rates: number[]; kept: number[]; distortion: number[]; stderr: number[] };
  auc?: CurveAuc;
  milliseconds?: { explain: number; curve: number };
  passes?: { explain: { forward: number; backward: number } | null; curve: number };
  /** The map came from --maps-from (its explain time is then 0). */
  mapReused?: boolean;
  error?: string;
}

/** What must agree for lines to belong to one run (run.json). */
interface RunSettings {
  model: string;
  set: string;
  settings: Omit<CurveSettings, 'seed'> & { baseSeed: number };
  seeds: string;
  methods: string[];
}

export async function runEvaluate(argv: string[], io: RunIo, deps: RunDeps = { openModel }): Promise<number> {
  try {
    const args = parseFlags(argv);
    const [command, ...extra] = args.positional;
    if (extra.length) throw new Error(`Unexpected argument ${extra.join(' ')} (flags are written --name value).`);
    if (command === 'help' || 'help' in args.flags) io.out(runUsage());
    else if (command === undefined) await run(args, io, deps);
    else if (command === 'merge') {
      checkFlagNames(args, Object.keys(mergeFlags.shape), 'merge');
      merge(parseFlagValues(mergeFlags, args.flags).out, io);
    } else if (command === 'sanity') await sanity(args, io, deps);
    else throw new Error(`Unknown command "${command}": run without one, or name merge or sanity.`);
    return 0;
  } catch (err) {
    io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/** The usage text, from the schemas' descriptions. */
export function runUsage(): string {
  const lines: string[] = [];
  const flagLines = (schema: z.ZodObject) => Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, f]) => {
    const required = !f.safeParse(undefined).success;
    return `    --${name.padEnd(10)} ${f.description ?? ''}${required ? ' (required)' : ''}`;
  });
  lines.push('usage: npm run evaluate -- [merge | sanity] [--flag value ...]  (docs/evaluation.md)');
  lines.push('  (no command): the curve of every digit × method, appended to results.jsonl (resumable), then merged', ...flagLines(runFlags));
  lines.push('  merge: joins the shard files into results.jsonl, summary.csv, curves.svg and curves.png', ...flagLines(mergeFlags));
  lines.push('  sanity: cascading model randomisation per method over the first --images digits (default 10), sanity.csv', ...flagLines(sanityFlags));
  return lines.join('\n');
}

function prepareFolder(out: string): string {
  const dir = resolve(out);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`--out ${out} is a file; give a folder.`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function resultsFile(shard?: { k: number; n: number }): string {
  return shard ? `results.shard-${shard.k}-of-${shard.n}.jsonl` : 'results.jsonl';
}

/** Where a run keeps the maps it computed (one line per digit × method: image, method, seed, relevance). */
export function mapsFile(shard?: { k: number; n: number }): string {
  return shard ? `maps.shard-${shard.k}-of-${shard.n}.jsonl` : 'maps.jsonl';
}

interface MapLine { image: number; method: string; seed: number; relevance: number[] }

/** Every map stored in a folder's maps*.jsonl, by digit, method spec and seed. */
export function readMaps(folder: string): Map<string, Float32Array> {
  const dir = resolve(folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--maps-from ${folder} is not a folder.`);
  const files = readdirSync(dir).filter((f) => /^maps(\.shard-\d+-of-\d+)?\.jsonl$/.test(f));
  if (!files.length) throw new Error(`--maps-from ${folder} holds no maps*.jsonl.`);
  const maps = new Map<string, Float32Array>();
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const l of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
      if (!l) continue;
      const m = JSON.parse(l) as MapLine;
      maps.set(mapKey(m.image, m.method, m.seed), Float32Array.from(m.relevance));
    }
  }
  return maps;
}

const mapKey = (image: number, method: string, seed: number) => `${image}\t${method}\t${seed}`;

/**
 * The complete lines of a results file; a last line without its newline (a run killed while
 * writing) is cut off the file, so appending goes on from a clean end.
 */
export function readResults(path: string, repair = false): ResultLine[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (repair) cutUnfinishedLine(path, text);
  return text.slice(0, end).split('\n').filter((l) => l !== '').map((l, i) => {
    try {
      return JSON.parse(l) as ResultLine;
    } catch {
      throw new Error(`${path}: line ${i + 1} is not JSON; remove it to go on.`);
    }
  });
}

/** Cuts a last line without its newline (a run killed while writing) off a JSON-lines file. */
function cutUnfinishedLine(path: string, text = existsSync(path) ? readFileSync(path, 'utf8') : ''): void {
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end)));
}

const itemKey = (image: number, method: string) => `${image}\t${method}`;

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** Records the run's settings, or checks them against those recorded (methods may be added). */
function recordRun(dir: string, wanted: RunSettings): RunSettings {
  const path = join(dir, 'run.json');
  if (existsSync(path)) {
    const have = JSON.parse(readFileSync(path, 'utf8')) as RunSettings;
    const strip = (r: RunSettings) => JSON.stringify({ ...r, methods: [] });
    if (strip(have) !== strip(wanted)) {
      throw new Error(`${dir} holds a run with other settings (${JSON.stringify({ model: have.model, set: have.set, ...have.settings })}); give another --out, or the same settings.`);
    }
    const methods = [...have.methods, ...wanted.methods.filter((m) => !have.methods.includes(m))];
    if (methods.length === have.methods.length) return have;
    wanted = { ...have, methods };
  }
  writeAtomically(path, JSON.stringify(wanted, null, 2) + '\n');
  return wanted;
}

async function loadSelection(flags: { model: string; backend: 'wasm' | 'cpu'; 'per-class': number; images?: number }, deps: RunDeps) {
  await setupNodeBackend(flags.backend);
  const model = await deps.openModel(flags.model);
  const [h, w, c] = model.net.inputShape;
  if (h * w * c !== PIXELS || c !== 1) throw new Error(`The held-out set holds 28 x 28 digits; the model ${model.meta.id} takes ${h} x ${w} x ${c}.`);
  const { heldOut } = loadMnistSplit();
  const digits = selectDigits(flags['per-class'], flags.images).map((d) => ({ ...d, pixels: heldOut.images.subarray(d.index * PIXELS, (d.index + 1) * PIXELS) }));
  return { ...model, digits };
}

/** A progress bar on `io.progress` (items done, rate, time left), or nothing. */
async function progressBar(io: RunIo, total: number, start: number, unit: string) {
  if (!io.progress) return { tick() {}, stop() {} };
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar({
    stream: io.progress, etaBuffer: 20, fps: 2,
    format: `{bar} {value}/{total} ${unit} | {rate} | {eta_formatted} left`,
  }, Presets.shades_classic);
  const t0 = performance.now();
  let done = 0;
  bar.start(total, start, { rate: '—' });
  return {
    tick() {
      done++;
      const perMinute = done / ((performance.now() - t0) / 60_000);
      bar.increment(1, { rate: `${perMinute >= 10 ? perMinute.toFixed(0) : perMinute.toPrecision(2)} ${unit}/min` });
    },
    stop() { bar.stop(); },
  };
}

async function run(args: ReturnType<typeof parseFlags>, io: RunIo, deps: RunDeps): Promise<void> {
  checkFlagNames(args, Object.keys(runFlags.shape), 'evaluate');
  const flags = parseFlagValues(runFlags, args.flags);
  if (flags.protocol === 'paper' && args.flags.rank !== undefined) {
    throw new Error('--rank applies only to --protocol studio (the paper protocol fills with uniform noise, not V).');
  }
  const specs = parseMethodSpecs(flags.methods);
  const stored = flags['maps-from'] === undefined ? undefined : readMaps(flags['maps-from']);
  const shard = flags.shard ? (([k, n]) => ({ k, n }))(flags.shard.split('/').map(Number)) : undefined;
  const base = curveSettings.parse({
    protocol: flags.protocol, samples: flags.samples, step: flags.step, maxRate: flags['max-rate'],
    rank: flags.protocol === 'studio' ? flags.rank : 0, seed: flags.seed,
  });
  const dir = prepareFolder(flags.out);
  const { net, meta, reference, digits } = await loadSelection(flags, deps);
  const problem = curveSettingsProblem(base, PIXELS, reference, `The model ${meta.id}`);
  if (problem) throw new Error(problem);
  const { seed: baseSeed, ...rest } = base;
  recordRun(dir, {
    model: meta.id, set: flags.set, settings: { ...rest, baseSeed },
    seeds: 'digit i (its index in the held-out set): fillings seed + 2i, tie-break seed + 2i + 1, stochastic maps seed + 2i',
    methods: specs.map((s) => s.spec),
  });

  const mine = shard ? digits.filter((d) => d.position % shard.n === shard.k) : digits;
  const path = join(dir, resultsFile(shard));
  const mapsPath = join(dir, mapsFile(shard));
  cutUnfinishedLine(mapsPath);
  const done = new Set(readResults(path, true).map((l) => itemKey(l.image, l.method)));
  const total = mine.length * specs.length;
  const already = mine.reduce((n, d) => n + specs.filter((s) => done.has(itemKey(d.index, s.spec))).length, 0);
  io.err(`${total} items (${mine.length} digits × ${specs.length} methods${shard ? `, shard ${shard.k}/${shard.n}` : ''}), ${already} already in ${path}`);
  const bar = await progressBar(io, total, already, 'items');
  try {
    for (const digit of mine) {
      const todo = (s: MethodSpec) => !done.has(itemKey(digit.index, s.spec));
      if (!specs.some(todo)) continue;
      const seed = imageSeed(baseSeed, digit.index);
      const x = tf.tensor4d(digit.pixels, [1, ...net.inputShape]);
      try {
        const target = (await classify(net, x)).predicted;
        const settings = { ...base, seed };
        const evaluator = await createCurveEvaluator(net, x, target, settings, reference);
        try {
          await evaluateImage(net, x, target, specs, settings, {
            reference, seed, evaluator, skip: (s) => !todo(s),
            precomputed: stored && ((spec) => stored.get(mapKey(digit.index, spec.spec, seed))),
            onOutcome: (spec, o) => {
              if (o.ok) appendFileSync(mapsPath, JSON.stringify({ image: digit.index, method: spec.spec, seed, relevance: Array.from(o.relevance) } satisfies MapLine) + '\n');
              const line: ResultLine = {
                position: digit.position, image: digit.index, label: digit.label, target, method: spec.spec, seed, scoreOfX: evaluator.scoreOfX,
                ...(o.ok
                  ? {
                    curve: { rates: o.curve.rates, kept: o.curve.kept, distortion: o.curve.distortion, stderr: o.curve.stderr }, auc: o.curve.auc,
                    milliseconds: { explain: o.milliseconds.explain, curve: o.milliseconds.curve }, passes: o.passes, ...(o.reused ? { mapReused: true } : {}),
                  }
                  : { error: o.error }),
              };
              appendFileSync(path, JSON.stringify(line) + '\n');
              bar.tick();
            },
          });
        } finally {
          evaluator.dispose();
        }
      } finally {
        x.dispose();
      }
    }
  } finally {
    bar.stop();
  }
  if (shard) {
    io.out(`shard ${shard.k}/${shard.n} done: ${path}; once every shard is done, run: npm run evaluate -- merge --out ${flags.out}`);
  } else {
    merge(flags.out, io);
  }
}

// ---------------------------------------------------------------------------------------------
// merge: results.jsonl in a fixed order, summary.csv, curves.svg (+ curves.png)

/** Mean and standard error (sample SD / √n; empty below 2 values). */
export function meanAndStderr(values: number[]): { mean: number; stderr: number | null } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, stderr: null };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, stderr: Math.sqrt(variance / n) };
}

export interface MethodSummary {
  method: string;
  images: number;
  errors: number;
  auc: Record<keyof CurveAuc, { mean: number; stderr: number | null } | null>;
  explainMs: number;
  curveMs: number;
  /** Mean curve over images, with the standard error over images. */
  rates: number[];
  distortion: number[];
  stderr: number[];
}

export function summarise(lines: ResultLine[], order: string[]): MethodSummary[] {
  const methods = [...order.filter((m) => lines.some((l) => l.method === m)), ...[...new Set(lines.map((l) => l.method))].filter((m) => !order.includes(m)).sort()];
  return methods.map((method) => {
    const mine = lines.filter((l) => l.method === method);
    const ok = mine.filter((l) => l.curve);
    const auc = (key: keyof CurveAuc) => {
      const values = ok.map((l) => l.auc![key]).filter((v): v is number => v !== null);
      return values.length ? meanAndStderr(values) : null;
    };
    const rates = ok[0]?.curve!.rates ?? [];
    const other = ok.find((l) => l.curve!.rates.length !== rates.length || l.curve!.rates.some((r, i) => r !== rates[i]));
    if (other) throw new Error(`${method}: digit ${other.image} was measured at other rates than digit ${ok[0].image} (a run resumed with another version of the grid); measure it again into a fresh folder.`);
    const pointwise = rates.map((_, i) => meanAndStderr(ok.map((l) => l.curve!.distortion[i])));
    return {
      method, images: ok.length, errors: mine.length - ok.length,
      auc: { r5: auc('r5'), r20: auc('r20'), all: auc('all') },
      explainMs: ok.length ? meanAndStderr(ok.map((l) => l.milliseconds!.explain)).mean : 0,
      curveMs: ok.length ? meanAndStderr(ok.map((l) => l.milliseconds!.curve)).mean : 0,
      rates, distortion: pointwise.map((p) => p.mean), stderr: pointwise.map((p) => p.stderr ?? 0),
    };
  });
}

export const SUMMARY_COLUMNS = ['method', 'images', 'errors', 'auc_r5_mean', 'auc_r5_stderr', 'auc_r20_mean', 'auc_r20_stderr', 'auc_all_mean', 'auc_all_stderr', 'explain_ms_mean', 'curve_ms_mean'] as const;

const csvCell = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function summaryCsv(summaries: MethodSummary[]): string {
  const rows = summaries.map((s) => [
    s.method, s.images, s.errors,
    s.auc.r5?.mean, s.auc.r5?.stderr, s.auc.r20?.mean, s.auc.r20?.stderr, s.auc.all?.mean, s.auc.all?.stderr,
    Math.round(s.explainMs), Math.round(s.curveMs),
  ].map(csvCell).join(','));
  return [SUMMARY_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

function merge(out: string, io: RunIo): void {
  const dir = resolve(out);
  if (!existsSync(join(dir, 'run.json'))) throw new Error(`${dir} holds no run (no run.json); run an evaluation into it first.`);
  const runSettings = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunSettings;
  const shardFiles = readdirSync(dir).filter((f) => /^results\.shard-\d+-of-\d+\.jsonl$/.test(f)).sort();
  let lines: ResultLine[];
  if (shardFiles.length) {
    const counts = new Set(shardFiles.map((f) => Number(/-of-(\d+)\./.exec(f)![1])));
    if (counts.size > 1) throw new Error(`${dir} holds shards of different splits (${shardFiles.join(', ')}); keep one split.`);
    const n = [...counts][0];
    const missing = Array.from({ length: n }, (_, k) => k).filter((k) => !shardFiles.includes(resultsFile({ k, n })));
    if (missing.length) throw new Error(`Shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${n}`).join(', ')} of ${n} ha${missing.length > 1 ? 've' : 's'} no file in ${dir} yet.`);
    lines = shardFiles.flatMap((f) => readResults(join(dir, f)));
  } else {
    lines = readResults(join(dir, 'results.jsonl'));
    if (!lines.length) throw new Error(`${dir} holds no results yet.`);
  }
  const seen = new Set<string>();
  const unique = lines.filter((l) => {
    const key = itemKey(l.image, l.method);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = (m: string) => {
    const i = runSettings.methods.indexOf(m);
    return i < 0 ? runSettings.methods.length : i;
  };
  unique.sort((a, b) => a.position - b.position || rank(a.method) - rank(b.method) || (a.method < b.method ? -1 : a.method > b.method ? 1 : 0));
  writeAtomically(join(dir, 'results.jsonl'), unique.map((l) => JSON.stringify(l) + '\n').join(''));
  const summaries = summarise(unique, runSettings.methods);
  writeAtomically(join(dir, 'summary.csv'), summaryCsv(summaries));
  const svg = renderCurvesSvg(summaries, {
    protocol: runSettings.settings.protocol, samples: runSettings.settings.samples, model: runSettings.model,
    images: new Set(unique.map((l) => l.image)).size,
  });
  writeAtomically(join(dir, 'curves.svg'), svg);
  const png = svgToPng(svg);
  if (png) writeFileSync(join(dir, 'curves.png'), png);
  const errors = unique.filter((l) => l.error).length;
  io.out(`merged ${unique.length} items (${summaries.length} methods${errors ? `, ${errors} failed` : ''}) into ${join(dir, 'results.jsonl')}; wrote summary.csv and curves.svg${png ? ' and curves.png' : ''}`);
}

// ---------------------------------------------------------------------------------------------
// sanity: cascading model randomisation per method over the first digits

export const SANITY_COLUMNS = ['method', 'randomised', 'top_layer', 'images', 'spearman_abs_mean', 'spearman_mean', 'ssim_mean', 'verdict'] as const;

async function sanity(args: ReturnType<typeof parseFlags>, io: RunIo, deps: RunDeps): Promise<void> {
  checkFlagNames(args, Object.keys(sanityFlags.shape), 'sanity');
  const flags = parseFlagValues(sanityFlags, args.flags);
  const specs = parseMethodSpecs(flags.methods);
  const dir = prepareFolder(flags.out);
  const { net, reference, digits, initialisers } = await loadSelection({ ...flags, images: flags.images ?? CLASSES }, deps);
  const bar = await progressBar(io, digits.length * specs.length, 0, 'maps');
  const rows: string[] = [SANITY_COLUMNS.join(',')];
  try {
    for (const spec of specs) {
      const availability = methodAvailability(spec.method, net);
      if (!availability.ok) {
        rows.push([spec.spec, '', '', 0, '', '', '', `error: ${availability.reason}`].map(csvCell).join(','));
        for (let i = 0; i < digits.length; i++) bar.tick();
        continue;
      }
      const results: SanityResult[] = [];
      for (const digit of digits) {
        const seed = imageSeed(flags.seed, digit.index);
        const x = tf.tensor4d(digit.pixels, [1, ...net.inputShape]);
        try {
          const target = (await classify(net, x)).predicted;
          results.push(await cascadingRandomisation(net, x, target,
            async (n, xx, t) => (await spec.method.explain(n, xx, t, spec.params, { seed, reference })).relevance, { seed, initialisers }));
        } finally {
          x.dispose();
        }
        bar.tick();
      }
      const passing = results.filter((r) => sanityVerdict(r).passes).length;
      const verdict = passing === results.length ? 'passes' : passing === 0 ? 'fails' : `mixed: passes on ${passing} of ${results.length}`;
      results[0].layers.forEach((layer, i) => {
        const mean = (key: 'spearmanAbs' | 'spearman' | 'ssim') => meanAndStderr(results.map((r) => r.steps[i][key])).mean;
        rows.push([spec.spec, i + 1, layer, results.length, mean('spearmanAbs'), mean('spearman'), mean('ssim'), verdict].map(csvCell).join(','));
      });
    }
  } finally {
    bar.stop();
  }
  writeAtomically(join(dir, 'sanity.csv'), rows.join('\n') + '\n');
  io.out(`wrote ${join(dir, 'sanity.csv')} (${specs.length} methods × ${digits.length} digits)`);
}
