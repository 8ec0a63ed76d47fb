// `npm run bench -- attack [--iterations 10] [--only id,id] [--full 100]`: the fragility attack
// (core/attacks) on the built-in MNIST model and public/digits/digit-3-0.png, Node wasm: the
// median time of one attack iteration per method (the top-k attack; gradient methods by the
// softplus gradient attack, the rest by the black-box search; each iteration is one step plus the
// real map at the new input), and one whole attack of `--full` iterations on the gradient map.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { setupNodeBackend } from '../src/core/tf/node';
import { runAttack } from '../src/core/attacks/attack';
import { PROJECT_ROOT } from '../src/node/modelFiles';
import { imageInput, openModel } from '../src/node/studioSession';
import { median, printTable } from './benchTable';

/** Methods with the settings the attack uses here (the methods' defaults, RDE shortened: a black-box iteration is one whole RDE run). */
const METHODS: Array<{ id: string; params: Record<string, unknown>; note?: string }> = [
  { id: 'gradient', params: {} },
  { id: 'gradient-input', params: {} },
  { id: 'smoothgrad', params: {}, note: '25 samples' },
  { id: 'integrated-gradients', params: {}, note: '64 steps' },
  { id: 'guided-backprop', params: {} },
  { id: 'lrp', params: {} },
  { id: 'rde', params: { iterations: 30, plateau: 0 }, note: 'RDE diag, 30 iterations per map' },
];

export async function benchAttack(flags: Record<string, string>) {
  await setupNodeBackend('wasm');
  const { net, meta, reference } = await openModel('mnist');
  const input = imageInput(join(PROJECT_ROOT, 'public', 'digits', 'digit-3-0.png'), meta);
  const iterations = Number(flags.iterations ?? 10);
  const only = flags.only?.split(',');
  const rows: Array<Record<string, string>> = [];
  for (const m of METHODS.filter((x) => !only || only.includes(x.id))) {
    const stamps: number[] = [];
    const t0 = performance.now();
    const r = await runAttack(net, input.pixels, input.shape, {
      method: m.id, methodParams: m.params, params: { attack: 'topk', iterations }, inputRange: meta.inputRange!, reference,
      onIteration: () => { stamps.push(performance.now()); },
    });
    const total = performance.now() - t0;
    const gaps = stamps.slice(1).map((s, i) => s - stamps[i]);
    rows.push({
      method: m.id + (m.note ? ` (${m.note})` : ''), kind: r.kind,
      'ms / iteration (median)': median(gaps).toFixed(1),
      [`whole run, ${iterations} it. (s)`]: (total / 1000).toFixed(2),
      'top-k ∩ attack / random': `${r.attacked.metrics.topkIntersection.toFixed(3)} / ${r.random!.metrics.topkIntersection.toFixed(3)}`,
    });
    console.error(`done: ${m.id}`);
  }
  printTable(rows);
  const full = Number(flags.full ?? 100);
  const t0 = performance.now();
  const r = await runAttack(net, input.pixels, input.shape, { method: 'gradient', params: { attack: 'topk', iterations: full }, inputRange: meta.inputRange! });
  console.log(`\n${full}-iteration top-k attack on the gradient map of digit-3-0: ${((performance.now() - t0) / 1000).toFixed(2)} s `
    + `(top-k ∩ ${r.attacked.metrics.topkIntersection.toFixed(3)} at iteration ${r.attacked.iteration}, random ${r.random!.metrics.topkIntersection.toFixed(3)}; tensors ${tf.memory().numTensors})`);
}
