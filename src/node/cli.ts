// The studio without the page: the CLI's commands, callable in-process (scripts/cli.ts wraps
// them for the shell). Each command's flags are a zod schema, checked twice: before anything
// heavy is loaded, and again once the model is known (class and reference-rank bounds).
import * as tf from '@tensorflow/tfjs';
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { setupNodeBackend } from '../core/tf/node';
import { classify } from '../core/net/forward';
import { METHODS, getMethod, methodAvailability, parseMethodParams } from '../core/methods/registry';
import { paramDescriptors, ruleText } from '../core/methods/params';
import { rdeParams } from '../core/rde/rde';
import { scoreMoments } from '../core/rde/scoreMoments';
import { verifyDistortion } from '../core/rde/verify';
import { CURVE_PROTOCOLS, FLIP_BASELINES } from '../core/evaluate/types';
import { MAX_CURVE_SAMPLES, curveSettings, curveSettingsProblem } from '../core/evaluate/curve';
import { flipSettings } from '../core/evaluate/flip';
import { evaluateImage, parseMethodSpecs } from './evaluation';
import { checkFlagNames, integerFlag, numberFlag, parseFlagValues, parseFlags, type ParsedArgs } from './flags';
import { readPngSize, whyUnreadable } from './imageFiles';
import { imageInput, inputTensor, openModel } from './studioSession';
import { runAttack } from '../core/attacks/attack';
import { ATTACKS, attackParams, attackRange } from '../core/attacks/params';
import { checkParams } from '../core/methods/params';
import { parseMethodSpec } from './evaluation';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** What the commands load through; tests pass a memoised openModel to load the model once. */
export interface CliDeps {
  openModel: typeof openModel;
}

/** Bounds a flag can only have once the model is loaded. */
interface ModelLimits {
  id: string;
  classes: number;
  referenceRank?: number;
}

/**
 * Monte Carlo samples for `distortion` (also the default): scoreMoments draws them in chunks, so
 * memory is bounded and the cost is time. 100,000 took 134 s on this 2-core machine and give a
 * standard error of 0.013 on a distortion of 96 (digit 3, s = 0.25, rank 30); a bound keeps a
 * stray zero from running for hours.
 */
const MAX_DISTORTION_SAMPLES = 100_000;
/** The covariance rank `distortion` uses unless told, RDE's default (capped by the reference's rank). */
const DEFAULT_RANK: number = rdeParams.shape.rank.parse(undefined);
/** Seeds feed mulberry32, which keeps 32 bits. */
const MAX_SEED = 2 ** 32 - 1;

const modelFlags = {
  model: z.string().min(1, { error: 'must name a model' }).describe('a built-in model id (mnist) or the path of a model.json'),
  image: z.string().min(1, { error: 'must name a file' }).describe('a PNG file'),
  backend: z.enum(['wasm', 'cpu']).default('wasm').describe('the tfjs backend'),
};

function targetFlag(limits?: ModelLimits) {
  return (limits ? integerFlag(0, limits.classes - 1, `${limits.id} has ${limits.classes} classes`) : integerFlag(0))
    .optional().describe('the class index: Φ is its logit (default: the predicted class)');
}

const seedFlag = integerFlag(0, MAX_SEED).optional().describe('seed of the random draws (default 0)');

const predictFlags = z.object(modelFlags);

function explainFlags(limits?: ModelLimits) {
  return z.object({
    ...modelFlags,
    method: z.string().describe('the explanation method (npm run cli -- methods lists them and their flags)'),
    target: targetFlag(limits),
    seed: seedFlag,
    out: z.string().min(1, { error: 'must name a file' }).optional().describe('write the JSON to this file (default: print it)'),
  });
}

const ADF_RANKED = ['lowrank', 'lowrank-diag'];
const MASK_RULE = 'must be a number in [0, 1] or a mask file';

function distortionFlags(limits?: ModelLimits) {
  const rank = limits?.referenceRank === undefined
    ? integerFlag(0)
    : integerFlag(0, limits.referenceRank, `the rank of ${limits.id}'s reference distribution`);
  return z.object({
    ...modelFlags,
    target: targetFlag(limits),
    mode: rdeParams.shape.mode,
    rank: rank.optional().describe(`covariance rank of the reference distribution (lowrank, lowrank-diag and mc; default ${DEFAULT_RANK})`),
    samples: integerFlag(1, MAX_DISTORTION_SAMPLES).optional().describe(`Monte Carlo samples (mc only; default ${MAX_DISTORTION_SAMPLES})`),
    seed: seedFlag.describe('seed of the Monte Carlo draws (mc only; default 0)'),
    s: numberFlag(z.union([z.number().min(0, { error: MASK_RULE }).max(1, { error: MASK_RULE }), z.string().min(1, { error: MASK_RULE })]))
      .default(0.25)
      .describe('the mask: a constant in [0, 1] (default 0.25), or a JSON file of one value in [0, 1] per input component (an array, or the output of explain)'),
  }).superRefine((f, ctx) => {
    if (f.mode === 'diag' && f.rank !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['rank'], message: 'applies only to --mode lowrank, lowrank-diag and mc (diag uses no covariance factor)' });
    }
    if (ADF_RANKED.includes(f.mode) && f.rank === 0) {
      ctx.addIssue({ code: 'custom', path: ['rank'], message: `must be at least 1 for --mode ${f.mode} (rank 0 is --mode diag)` });
    }
    for (const name of ['samples', 'seed'] as const) {
      if (f.mode !== 'mc' && f[name] !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'applies only to --mode mc' });
    }
  });
}

const curveDefaults = curveSettings.parse({});

/** Flags of `evaluate`: the curve's settings (bounds from core's schema), the methods, the output. */
function evaluateFlags(limits?: ModelLimits) {
  const rank = limits?.referenceRank === undefined
    ? integerFlag(0)
    : integerFlag(0, limits.referenceRank, `the rank of ${limits.id}'s reference distribution`);
  return z.object({
    ...modelFlags,
    methods: z.string().min(1, { error: 'must name methods' })
      .describe('comma-separated method specs, id or id:name=value:…, e.g. gradient,random,rde:mode=lowrank:rank=30 (random: the baseline map)'),
    protocol: z.enum(CURVE_PROTOCOLS).default(curveDefaults.protocol).describe(curveSettings.shape.protocol.description ?? ''),
    samples: integerFlag(1, MAX_CURVE_SAMPLES).default(curveDefaults.samples).describe(`fillings N averaged per point (default ${curveDefaults.samples})`),
    step: integerFlag(1).default(curveDefaults.step).describe(`components added per point, g (default ${curveDefaults.step})`),
    'max-rate': numberFlag(z.number({ error: 'must be a number in (0, 1]' }).gt(0, { error: 'must be a number in (0, 1]' }).max(1, { error: 'must be a number in (0, 1]' }))
      .default(curveDefaults.maxRate).describe(`the curve stops at this share of kept components (default ${curveDefaults.maxRate}; 1: the whole curve)`),
    rank: rank.default(curveDefaults.rank).describe(`studio protocol: covariance rank of V (default ${curveDefaults.rank}; at most the rank of the model's reference; the paper protocol uses none)`),
    target: targetFlag(limits),
    seed: seedFlag.describe('seed of the fillings, the tie-break (seed + 1) and the stochastic methods (default 0)'),
    flip: z.enum(FLIP_BASELINES).optional().describe('also pixel flipping (MoRF, LeRF, ABPC) to this baseline'),
    out: z.string().min(1, { error: 'must name a file' }).describe('write the JSON to this file'),
  });
}

/** The attack's flags besides the model's: the method spec, the region, the output; the attack's own parameters come from its schema (core/attacks/params.ts). */
const attackOwnFlags = {
  ...modelFlags,
  method: z.string().min(1, { error: 'must name a method' })
    .describe('the explanation method, id or id:name=value:… with its parameters (e.g. smoothgrad:samples=16, rde:iterations=30)'),
  'target-region': z.string().optional().describe('targeted attack: the box x0,y0,x1,y1 in pixels (half-open, x = column) the map should move into'),
  out: z.string().min(1, { error: 'must name a file' }).optional().describe('write the JSON to this file (default: print it)'),
};
const attackFlags = z.object({
  ...attackOwnFlags,
  ...Object.fromEntries(Object.entries(attackParams.shape).map(([name, schema]) => [name, z.string().optional().describe(
    `${schema.description ?? (schema.meta() as { description?: string } | undefined)?.description ?? ''} (default ${name === 'epsilon' ? '8/255' : String(schema.parse(undefined))})`)])),
});

const COMMANDS = {
  predict: { summary: 'the class the model gives the image', flags: predictFlags },
  explain: { summary: 'a relevance map by one method, as JSON', flags: explainFlags() },
  distortion: { summary: 'E[Φ(y)], Var[Φ(y)] and D(s) for one mask s', flags: distortionFlags() },
  evaluate: { summary: 'relevance-ordering curves (and pixel flipping) of several methods on one image, as JSON', flags: evaluateFlags() },
  attack: { summary: `an attack on a method's map (${ATTACKS.join(', ')}) that keeps the class, with a random baseline, as JSON`, flags: attackFlags },
  methods: { summary: 'list the methods and their flags', flags: z.object({}) },
} as const;
type CommandName = keyof typeof COMMANDS;

function enumOptions(schema: z.ZodType): readonly string[] | undefined {
  const inner = schema instanceof z.ZodDefault || schema instanceof z.ZodOptional ? schema.unwrap() : schema;
  return inner instanceof z.ZodEnum ? (inner.options as string[]) : undefined;
}

/** A mistake in the command itself: the message is followed by the usage text. */
class UsageError extends Error {}

/** The usage text, from the schemas' descriptions. */
export function usage(): string {
  const lines = ['usage: npm run cli -- <command> [--flag value ...]'];
  for (const [name, command] of Object.entries(COMMANDS)) {
    lines.push(`  ${name}: ${command.summary}`);
    for (const [flag, schema] of Object.entries(command.flags.shape as Record<string, z.ZodType>)) {
      const required = !schema.safeParse(undefined).success;
      const options = enumOptions(schema);
      const choice = options ? `${options.join(' | ')}${schema instanceof z.ZodDefault ? ` (default ${schema.parse(undefined)})` : ''}: ` : '';
      lines.push(`    --${flag.padEnd(8)} ${choice}${schema.description ?? ''}${required ? ' (required)' : ''}`);
    }
    if (name === 'explain') lines.push('    and the method\'s own flags');
  }
  return lines.join('\n');
}

export async function runCli(argv: string[], io: CliIo, deps: CliDeps = { openModel }): Promise<number> {
  try {
    await dispatch(argv, io, deps);
    return 0;
  } catch (err) {
    io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof UsageError) io.err(usage());
    return 1;
  }
}

async function dispatch(argv: string[], io: CliIo, deps: CliDeps): Promise<void> {
  const args = parseFlags(argv);
  const [command, ...extra] = args.positional;
  if (command === 'help' || 'help' in args.flags) {
    io.out(usage());
    return;
  }
  if (command === undefined || !Object.hasOwn(COMMANDS, command)) {
    throw new UsageError(command === undefined
      ? `Name a command: ${Object.keys(COMMANDS).join(', ')}.`
      : `Unknown command "${command}"; the commands are ${Object.keys(COMMANDS).join(', ')}.`);
  }
  if (extra.length) throw new Error(`Unexpected argument ${extra.join(' ')} (flags are written --name value).`);
  const name = command as CommandName;
  if (name === 'methods') {
    checkFlagNames(args, [], 'methods');
    listMethods(io);
  } else if (name === 'predict') {
    await predict(args, io, deps);
  } else if (name === 'explain') {
    await explain(args, io, deps);
  } else if (name === 'evaluate') {
    await evaluate(args, io, deps);
  } else if (name === 'attack') {
    await attack(args, io, deps);
  } else {
    await distortion(args, io, deps);
  }
}

/**
 * Each method with its flags, from the descriptors the page's forms use (core/methods/params.ts):
 * name, rule, default and help, so the CLI states the same bounds and defaults as the studio.
 */
function listMethods(io: CliIo): void {
  for (const m of METHODS) {
    const params = paramDescriptors(m.params).map((d) => `--${d.name} (${d.label === d.name ? '' : `${d.label}: `}${ruleText(d)}; default ${d.default}: ${d.description})`);
    io.out(`${m.id}\t${m.label}\t${m.formula}\t${params.join(' ')}`);
  }
}

/**
 * Refuses an --out the run could not write, before anything heavy runs: a folder, a missing or
 * read-only folder, a read-only file.
 */
function checkOutputPath(path: string): void {
  const full = resolve(path);
  const folder = dirname(full);
  if (existsSync(full) && statSync(full).isDirectory()) throw new Error(`--out ${path} is a folder; give a file name.`);
  if (!existsSync(folder)) throw new Error(`--out ${path}: the folder ${folder} does not exist.`);
  if (!statSync(folder).isDirectory()) throw new Error(`--out ${path}: ${folder} is not a folder.`);
  try {
    accessSync(existsSync(full) ? full : folder, constants.W_OK);
  } catch {
    throw new Error(existsSync(full) ? `--out ${path} is not writable.` : `--out ${path}: the folder ${folder} is not writable.`);
  }
}

/** Loads the model and the image (after checking the image's header, which is cheap). */
async function loadModelAndImage(flags: { model: string; image: string; backend: 'wasm' | 'cpu' }, deps: CliDeps) {
  readPngSize(flags.image);
  await setupNodeBackend(flags.backend);
  const model = await deps.openModel(flags.model);
  const input = imageInput(flags.image, model.meta);
  return { ...model, input };
}

function modelLimits(net: { outputs: number }, meta: { id: string }, referenceRank?: number): ModelLimits {
  return { id: meta.id, classes: net.outputs, referenceRank };
}

/** A result must be numbers, never NaN or Infinity (which JSON would print as null). */
function requireFinite(what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${what} came out ${values[i]} at index ${i}; nothing was written.`);
  }
}

async function predict(args: ParsedArgs, io: CliIo, deps: CliDeps): Promise<void> {
  checkFlagNames(args, Object.keys(predictFlags.shape), 'predict');
  const flags = parseFlagValues(predictFlags, args.flags);
  const { net, meta, input } = await loadModelAndImage(flags, deps);
  const x = inputTensor(input);
  const { logits, probabilities, predicted } = await classify(net, x);
  x.dispose();
  requireFinite('The logits', logits);
  io.out(JSON.stringify({
    model: meta.id, predicted, label: meta.classes[predicted],
    logits: Array.from(logits), probabilities: Array.from(probabilities),
  }, null, 2));
}

async function explain(args: ParsedArgs, io: CliIo, deps: CliDeps): Promise<void> {
  const raw = args.flags;
  if (raw.method === undefined || args.bare.includes('method')) throw new Error(`--method is required: one of ${METHODS.map((m) => m.id).join(', ')}.`);
  const method = getMethod(raw.method);
  const own = Object.keys(explainFlags().shape);
  checkFlagNames(args, [...own, ...Object.keys(method.params.shape)], `explain --method ${method.id}`);
  const ownRaw = Object.fromEntries(Object.entries(raw).filter(([k]) => own.includes(k)));
  const loose = parseFlagValues(explainFlags(), ownRaw);
  const params = parseMethodParams(method, Object.fromEntries(Object.entries(raw).filter(([k]) => !own.includes(k))));
  if (loose.out !== undefined) checkOutputPath(loose.out);

  const { net, meta, reference, input } = await loadModelAndImage(loose, deps);
  const flags = parseFlagValues(explainFlags(modelLimits(net, meta)), ownRaw);
  const availability = methodAvailability(method, net);
  if (!availability.ok) throw new Error(availability.reason);
  const x = inputTensor(input);
  const { logits, predicted } = await classify(net, x);
  const target = flags.target ?? predicted;
  let lastReport = 0;
  const t0 = performance.now();
  const result = await method.explain(net, x, target, params, {
    seed: flags.seed, reference,
    onIteration: (r) => {
      if (flags.out && Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        io.err(`iteration ${r.iteration}: ${Object.entries(r).filter(([k]) => k !== 'iteration').map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ')}`);
      }
    },
  }).catch((err) => {
    x.dispose();
    throw err;
  });
  const milliseconds = Math.round(performance.now() - t0);
  requireFinite(`The ${method.id} relevance`, result.relevance);
  // RDE's D as the optimiser saw it (ADF) is checked by Monte Carlo at the mask it returned.
  let distortionMonteCarlo: Record<string, number | boolean> | undefined;
  try {
    if (method.id === 'rde' && reference) {
      const t1 = performance.now();
      const s = tf.tensor(result.relevance, x.shape);
      const check = await verifyDistortion(net, x, target, s, reference, { rank: Number((params as { rank: number }).rank), seed: flags.seed ?? 0 })
        .finally(() => s.dispose());
      distortionMonteCarlo = { value: check.distortion, standardError: check.standardError, samples: check.samples, converged: check.converged, rank: check.rank, seed: check.seed, milliseconds: Math.round(performance.now() - t1) };
    }
  } finally {
    x.dispose();
  }
  const out = {
    method: method.id, params, model: meta.id, backend: tf.getBackend(), milliseconds,
    target, predicted, logits: Array.from(logits),
    inputShape: [1, ...input.shape], layout: 'NHWC',
    input: Array.from(input.pixels), relevance: Array.from(result.relevance),
    ...(result.check ? { check: { ...result.check, gap: result.check.sum - result.check.expected } } : {}),
    ...(result.passes ? { passes: result.passes } : {}),
    ...(result.extras || distortionMonteCarlo ? { extras: { ...result.extras, ...(distortionMonteCarlo ? { distortionMonteCarlo } : {}) } } : {}),
  };
  const text = JSON.stringify(out);
  if (!flags.out) {
    io.out(text);
    return;
  }
  writeFileSync(flags.out, text + '\n');
  let min = Infinity, max = -Infinity;
  for (const v of result.relevance) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const check = result.check ? `; ${result.check.axiom}: Σ relevance ${result.check.sum.toPrecision(6)} vs ${result.check.expected.toPrecision(6)}` : '';
  const adf = (result.extras as { distortion?: number } | undefined)?.distortion;
  const mc = distortionMonteCarlo && typeof adf === 'number'
    ? `; D ${adf.toPrecision(4)} (optimiser), ${Number(distortionMonteCarlo.value).toPrecision(4)} ± ${Number(distortionMonteCarlo.standardError).toPrecision(2)} (Monte Carlo, ${distortionMonteCarlo.samples} samples)` : '';
  io.out(`${method.id} for class ${meta.classes[target]} (predicted ${meta.classes[predicted]}): relevance in [${min.toPrecision(4)}, ${max.toPrecision(4)}]${check}${mc}; ${milliseconds} ms; wrote ${flags.out}`);
}

/**
 * A mask file's d values in [0, 1]: a JSON array, or an object whose `relevance` is one (the
 * output of explain, e.g. RDE's mask). Every error names the file, and the entry where one is bad;
 * the caller checks the length against the model's input.
 */
export function readMaskFile(path: string): Float32Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read mask file ${path}: ${whyUnreadable(err)}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`Mask file ${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}.`);
  }
  const values = Array.isArray(parsed) ? parsed : (parsed as { relevance?: unknown } | null)?.relevance;
  if (!Array.isArray(values)) {
    throw new Error(`Mask file ${path} must hold a JSON array of numbers, or an object with such a "relevance" array.`);
  }
  const mask = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (v === null) throw new Error(`Mask file ${path}: entry ${i} is null (JSON writes NaN and Infinity as null); every entry must be a number in [0, 1].`);
    if (typeof v !== 'number') throw new Error(`Mask file ${path}: entry ${i} is ${JSON.stringify(v)}, not a number; every entry must be a number in [0, 1].`);
    if (v < 0 || v > 1) throw new Error(`Mask file ${path}: entry ${i} is ${v}, outside [0, 1].`);
    mask[i] = v;
  }
  return mask;
}

async function distortion(args: ParsedArgs, io: CliIo, deps: CliDeps): Promise<void> {
  const raw = args.flags;
  checkFlagNames(args, Object.keys(distortionFlags().shape), 'distortion');
  const loose = parseFlagValues(distortionFlags(), raw);
  const maskFromFile = typeof loose.s === 'string' ? readMaskFile(loose.s) : undefined;
  const { net, meta, reference, input } = await loadModelAndImage(loose, deps);
  if (!reference) throw new Error(`The model ${meta.id} has no reference distribution (reference.json) beside it.`);
  const flags = parseFlagValues(distortionFlags(modelLimits(net, meta, reference.rank)), raw);
  const d = input.pixels.length;
  if (maskFromFile && maskFromFile.length !== d) {
    throw new Error(`Mask file ${flags.s} holds ${maskFromFile.length} values; the model's input has ${d} (${input.shape.join(' x ')}).`);
  }
  const mask = maskFromFile ?? new Float32Array(d).fill(flags.s as number);
  const shape: [number, number, number, number] = [1, ...input.shape];
  const x = inputTensor(input);
  const s = tf.tensor4d(mask, shape);
  try {
    const target = flags.target ?? (await classify(net, x)).predicted;
    const rank = flags.rank ?? (flags.mode === 'diag' ? 0 : Math.min(DEFAULT_RANK, reference.rank));
    const t0 = performance.now();
    const report = await scoreMoments(net, x, target, s, reference, {
      mode: flags.mode, rank, samples: flags.samples ?? MAX_DISTORTION_SAMPLES, seed: flags.seed ?? 0,
    });
    requireFinite('The distortion report', [report.phiX, report.mean, report.variance, report.distortion]);
    io.out(JSON.stringify({ model: meta.id, ...report, s: flags.s, milliseconds: Math.round(performance.now() - t0) }, null, 2));
  } finally {
    tf.dispose([x, s]);
  }
}

/**
 * Curves of several methods on one image, one evaluator (the same fillings for every method).
 * Flags, specs and the output path are checked before the model loads; the rank, the target, the
 * step against d and the protocol against the model's reference once it has. A method that fails
 * gets `{ error }` in its row and the others still run.
 */
async function evaluate(args: ParsedArgs, io: CliIo, deps: CliDeps): Promise<void> {
  const raw = args.flags;
  checkFlagNames(args, Object.keys(evaluateFlags().shape), 'evaluate');
  const loose = parseFlagValues(evaluateFlags(), raw);
  const specs = parseMethodSpecs(loose.methods);
  checkOutputPath(loose.out);

  const { net, meta, reference, input } = await loadModelAndImage(loose, deps);
  const flags = parseFlagValues(evaluateFlags(modelLimits(net, meta, reference?.rank)), raw);
  const settings = curveSettings.parse({
    protocol: flags.protocol, samples: flags.samples, step: flags.step, maxRate: flags['max-rate'],
    rank: flags.protocol === 'studio' ? flags.rank : 0, seed: flags.seed ?? 0,
  });
  const d = input.pixels.length;
  const problem = curveSettingsProblem(settings, d, reference, `The model ${meta.id}`);
  if (problem) throw new Error(problem);
  if (flags.flip === 'reference-mean' && !reference) {
    throw new Error(`--flip reference-mean needs the model's reference distribution; ${meta.id} has none (use zeros or blurred).`);
  }
  const flip = flags.flip ? flipSettings.parse({ baseline: flags.flip, step: settings.step, seed: settings.seed }) : undefined;
  const x = inputTensor(input);
  try {
    const { logits, predicted } = await classify(net, x);
    const target = flags.target ?? predicted;
    const t0 = performance.now();
    const { scoreOfX, outcomes } = await evaluateImage(net, x, target, specs, settings, {
      reference, seed: settings.seed, flip,
      onOutcome: (spec, o) => io.err(o.ok
        ? `${spec.spec}: AUC ≤ 5 % ${o.curve.auc.r5?.toPrecision(4) ?? '—'}, ≤ 20 % ${o.curve.auc.r20?.toPrecision(4) ?? '—'}, all ${o.curve.auc.all.toPrecision(4)} (${o.milliseconds.explain + o.milliseconds.curve + o.milliseconds.flip} ms)`
        : `${spec.spec}: ${o.error}`),
    });
    const methods: Record<string, unknown> = {};
    for (const spec of specs) {
      const o = outcomes.get(spec.spec)!;
      methods[spec.spec] = o.ok
        ? {
          method: spec.method.id, params: spec.params, relevance: Array.from(o.relevance),
          rates: o.curve.rates, kept: o.curve.kept, distortion: o.curve.distortion, stderr: o.curve.stderr, auc: o.curve.auc, aucStderr: o.curve.aucStderr ?? null,
          ...(o.flip ? { flip: o.flip } : {}),
          milliseconds: o.milliseconds, passes: o.passes,
        }
        : { method: spec.method.id, params: spec.params, error: o.error };
    }
    const out = {
      model: meta.id, backend: tf.getBackend(), target, predicted, logits: Array.from(logits),
      settings: { ...settings, orderSeed: settings.seed + 1, methodSeed: settings.seed },
      ...(flip ? { flipSettings: flip } : {}),
      inputShape: [1, ...input.shape], layout: 'NHWC', input: Array.from(input.pixels), scoreOfX,
      milliseconds: Math.round(performance.now() - t0), methods,
    };
    writeFileSync(flags.out, JSON.stringify(out) + '\n');
    const failed = specs.filter((s) => !outcomes.get(s.spec)!.ok).length;
    io.out(`${specs.length - failed} of ${specs.length} methods evaluated (${settings.protocol} protocol, N = ${settings.samples}, class ${meta.classes[target]}); wrote ${flags.out}`);
  } finally {
    x.dispose();
  }
}

/** "a/b" as a/b (so --epsilon 8/255 reads as it is written); any other text is left to the schema. */
function fractionText(text: string): string | number {
  const m = /^\s*([0-9.eE+-]+)\s*\/\s*([0-9.eE+-]+)\s*$/.exec(text);
  if (!m) return text;
  const v = Number(m[1]) / Number(m[2]);
  return Number.isFinite(v) ? v : text;
}

/** --target-region x0,y0,x1,y1: four whole numbers. */
function parseRegion(text: string): { x0: number; y0: number; x1: number; y1: number } {
  const parts = text.split(',').map((t) => t.trim());
  const values = parts.map(Number);
  if (parts.length !== 4 || parts.some((t) => t === '') || !values.every(Number.isInteger)) {
    throw new Error(`--target-region must be four whole numbers x0,y0,x1,y1 (pixels, half-open); got ${text}.`);
  }
  const [x0, y0, x1, y1] = values;
  return { x0, y0, x1, y1 };
}

/**
 * An attack on one method's map (core/attacks; METHODS.md 6): the best iterate's input, map and
 * logits against the original's, the per-iteration trace and the random-sign baseline at the same
 * ε. The input range is the model's (meta.json inputRange), else the input's own min and max.
 */
async function attack(args: ParsedArgs, io: CliIo, deps: CliDeps): Promise<void> {
  const raw = args.flags;
  checkFlagNames(args, Object.keys(attackFlags.shape), 'attack');
  const flags = parseFlagValues(attackFlags, raw);
  const spec = parseMethodSpec(flags.method);
  if (spec.method.id === 'random') throw new Error('--method random is the evaluation\'s baseline map, not an explanation method; it has nothing to attack.');
  const attackRaw: Record<string, string | number> = {};
  for (const name of Object.keys(attackParams.shape)) {
    const v = raw[name];
    if (v !== undefined) attackRaw[name] = name === 'epsilon' ? fractionText(v) : v;
  }
  const { values, problems } = checkParams(attackParams, attackRaw);
  if (problems.length) {
    const bad = Object.keys(attackRaw).find((k) => !(k in values)) ?? '';
    throw new Error(`--${bad}: ${problems[0]} Got ${raw[bad]}.`);
  }
  const params = attackParams.parse(values);
  const region = flags['target-region'] !== undefined ? parseRegion(flags['target-region']) : undefined;
  if (params.attack === 'targeted' && !region) throw new Error('--attack targeted needs --target-region x0,y0,x1,y1 (the box the map should move into).');
  if (params.attack !== 'targeted' && region) throw new Error('--target-region applies only to --attack targeted.');
  if (flags.out !== undefined) checkOutputPath(flags.out);

  const { net, meta, reference, input } = await loadModelAndImage(flags, deps);
  const range = attackRange(meta.inputRange, input.pixels);
  let lastReport = 0;
  const result = await runAttack(net, input.pixels, input.shape, {
    method: spec.method, methodParams: spec.params, params: values, inputRange: range, targetRegion: region, reference,
    onIteration: (r) => {
      if (flags.out && Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        io.err(`iteration ${r.iteration}: top-k ∩ ${r.topkIntersection.toFixed(3)}, Spearman ${r.spearman.toFixed(3)}, centre shift ${r.massCentreShift.toFixed(2)} px`);
      }
    },
  });
  const a = result.attacked;
  const rnd = result.random!;
  const measures = (o: typeof rnd) => ({ ...o.metrics, labelKept: o.labelKept, predicted: o.predicted, linf: o.linf });
  requireFinite('The attacked map', a.map);
  requireFinite('The random baseline\'s map', rnd.map);
  const out = {
    model: meta.id, backend: tf.getBackend(), method: spec.method.id, methodParams: result.methodParams,
    attack: params.attack, kind: result.kind, params: result.params,
    epsilon: params.epsilon, epsilonFraction: params.epsilon / (range[1] - range[0]), inputRange: range, inputRangeFrom: meta.inputRange ? 'meta.json' : 'the input',
    ...(region ? { targetRegion: region } : {}),
    k: result.k, step: result.step, label: result.label, bestIteration: a.iteration,
    inputShape: [1, ...input.shape], layout: 'NHWC',
    input: Array.from(result.input), attacked: Array.from(a.attacked),
    mapBefore: Array.from(result.mapBefore), mapAfter: Array.from(a.map),
    logitsBefore: Array.from(result.logitsBefore), logitsAfter: Array.from(a.logits),
    probabilitiesBefore: Array.from(result.probabilitiesBefore), probabilitiesAfter: Array.from(a.probabilities),
    metrics: measures(a),
    random: { ...measures(rnd), attacked: Array.from(rnd.attacked), mapAfter: Array.from(rnd.map), logitsAfter: Array.from(rnd.logits) },
    trace: result.trace,
    milliseconds: Math.round(result.milliseconds),
  };
  const text = JSON.stringify(out);
  if (!flags.out) {
    io.out(text);
    return;
  }
  writeFileSync(flags.out, text + '\n');
  const m = a.metrics;
  io.out(`${params.attack} attack (${result.kind}) on ${spec.method.id}, ε = ${params.epsilon.toPrecision(4)}: top-k ∩ ${m.topkIntersection.toFixed(3)} (random ${rnd.metrics.topkIntersection.toFixed(3)}), Spearman ${m.spearman.toFixed(3)} (random ${rnd.metrics.spearman.toFixed(3)}), centre shift ${m.massCentreShift.toFixed(2)} px (random ${rnd.metrics.massCentreShift.toFixed(2)}); class ${meta.classes[result.label]} ${a.labelKept ? 'kept' : 'lost'}; ${Math.round(result.milliseconds)} ms; wrote ${flags.out}`);
}
