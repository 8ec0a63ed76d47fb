// The studio without the page: npm run cli -- <predict|explain|methods> [flags]
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { setupNodeBackend } from '../src/core/tf/node';
import { classify } from '../src/core/net/forward';
import { METHODS, getMethod, methodAvailability, parseMethodParams } from '../src/core/methods/registry';
import { parseFlags } from '../src/node/flags';
import { scoreMoments } from '../src/core/rde/scoreMoments';
import type { DistortionMode } from '../src/core/rde/rdeObjective';
import { imageInput, inputTensor, openModel } from '../src/node/studioSession';

const USAGE = `usage:
  npm run cli -- predict --model mnist --image digit.png
  npm run cli -- explain --model mnist --image digit.png --method gradient [--target K] [--out map.json] [method flags]
  npm run cli -- distortion --model mnist --image digit.png --mode diag|lowrank|lowrank-diag|mc [--rank 30] [--samples 100000] [--s 0.25 | --s mask.json] [--target K]
  npm run cli -- methods
common flags: --backend wasm|cpu (default wasm); --model takes a built-in id or a path to a model.json`;

const COMMON = ['model', 'image', 'method', 'target', 'out', 'backend', 'seed'];


function required(flags: Record<string, string>, name: string): string {
  const v = flags[name];
  if (!v || v === 'true') throw new Error(`--${name} is required.\n${USAGE}`);
  return v;
}

/** --s: a constant in [0,1], or a JSON file holding a mask (an array, or explain's output with `relevance`). */
function maskTensor(spec: string, shape: number[]): tf.Tensor4D {
  const d = shape.reduce((a, b) => a * b, 1);
  const constant = Number(spec);
  if (spec.trim() !== '' && Number.isFinite(constant)) {
    if (constant < 0 || constant > 1) throw new Error(`--s must lie in [0, 1]; got ${constant}.`);
    return tf.fill(shape as [number, number, number, number], constant) as tf.Tensor4D;
  }
  const parsed = JSON.parse(readFileSync(spec, 'utf8')) as number[] | { relevance: number[] };
  const values = Array.isArray(parsed) ? parsed : parsed.relevance;
  if (!Array.isArray(values) || values.length !== d) throw new Error(`The mask in ${spec} must hold ${d} values in [0, 1].`);
  if (values.some((v) => !(v >= 0 && v <= 1))) throw new Error(`The mask in ${spec} has values outside [0, 1].`);
  return tf.tensor4d(values, shape as [number, number, number, number]);
}

async function main() {
  const { positional, flags } = parseFlags(process.argv.slice(2));
  const command = positional[0];
  if (command === 'methods') {
    for (const m of METHODS) {
      const params = Object.entries(m.params.shape).map(([k, s]) => `--${k} (${(s as { description?: string }).description ?? ''})`);
      console.log(`${m.id}\t${m.label}\t${m.formula}\t${params.join(' ')}`);
    }
    return;
  }
  if (command !== 'predict' && command !== 'explain' && command !== 'distortion') throw new Error(USAGE);
  await setupNodeBackend((flags.backend ?? 'wasm') as 'wasm' | 'cpu');
  const { net, meta, reference } = await openModel(required(flags, 'model'));
  const input = imageInput(required(flags, 'image'), meta);
  const x = inputTensor(input);
  const { logits, probabilities, predicted } = await classify(net, x);
  if (command === 'predict') {
    console.log(JSON.stringify({
      model: meta.id, predicted, label: meta.classes[predicted],
      logits: Array.from(logits), probabilities: Array.from(probabilities),
    }, null, 2));
    x.dispose();
    return;
  }
  if (command === 'distortion') {
    if (!reference) throw new Error(`The model has no reference distribution (reference.json) beside it.`);
    const target = flags.target === undefined ? predicted : Number(flags.target);
    const s = maskTensor(flags.s ?? '0.25', x.shape);
    const mode = (flags.mode ?? 'diag') as DistortionMode;
    if (!['diag', 'lowrank', 'lowrank-diag', 'mc'].includes(mode)) throw new Error(`--mode must be diag, lowrank, lowrank-diag or mc; got ${mode}.`);
    const t0 = performance.now();
    const report = await scoreMoments(net, x, target, s, reference, {
      mode, rank: Number(flags.rank ?? (mode === 'diag' ? 0 : 30)), samples: Number(flags.samples ?? 100_000), seed: Number(flags.seed ?? 0),
    });
    console.log(JSON.stringify({ model: meta.id, ...report, s: flags.s ?? '0.25', milliseconds: Math.round(performance.now() - t0) }, null, 2));
    tf.dispose([x, s]);
    return;
  }
  const method = getMethod(required(flags, 'method'));
  const availability = methodAvailability(method, net);
  if (!availability.ok) throw new Error(availability.reason);
  const methodFlags = Object.fromEntries(Object.entries(flags).filter(([k]) => !COMMON.includes(k)));
  const params = parseMethodParams(method, methodFlags);
  const target = flags.target === undefined ? predicted : Number(flags.target);
  if (!Number.isInteger(target) || target < 0 || target >= net.outputs) {
    throw new Error(`--target must be a class index from 0 to ${net.outputs - 1}.`);
  }
  const seed = flags.seed === undefined ? undefined : Number(flags.seed);
  let lastReport = 0;
  const t0 = performance.now();
  const result = await method.explain(net, x, target, params, {
    seed, reference,
    onIteration: (r) => {
      if (flags.out && Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        console.error(`iteration ${r.iteration}: ${Object.entries(r).filter(([k]) => k !== 'iteration').map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ')}`);
      }
    },
  });
  const milliseconds = Math.round(performance.now() - t0);
  x.dispose();
  const out = {
    method: method.id, params, model: meta.id, backend: tf.getBackend(), milliseconds,
    target, predicted, logits: Array.from(logits),
    inputShape: [1, ...input.shape], layout: 'NHWC',
    input: Array.from(input.pixels), relevance: Array.from(result.relevance),
    ...(result.check ? { check: { ...result.check, gap: result.check.sum - result.check.expected } } : {}),
    ...(result.passes ? { passes: result.passes } : {}),
    ...(result.extras ? { extras: result.extras } : {}),
  };
  const text = JSON.stringify(out);
  if (flags.out) {
    writeFileSync(flags.out, text + '\n');
    let min = Infinity, max = -Infinity;
    for (const v of result.relevance) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const check = result.check ? `; ${result.check.axiom}: Σ relevance ${result.check.sum.toPrecision(6)} vs ${result.check.expected.toPrecision(6)}` : '';
    console.log(`${method.id} for class ${meta.classes[target]} (predicted ${meta.classes[predicted]}): relevance in [${min.toPrecision(4)}, ${max.toPrecision(4)}]${check}; ${milliseconds} ms; wrote ${flags.out}`);
  } else {
    console.log(text);
  }
}

main().catch((err) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
