// `npm run bench -- attack [--iterations 10] [--only id,id] [--full 100]`: the fragility attack
// (core/attacks) on the built-in MNIST model and public/digits/digit-3-0.png, Node wasm: the
// median time of one attack iteration per method (the top-k attack; gradient methods by the
// softplus gradient attack, the rest by the black-box search; each iteration is one step plus the
// real map at the new input), and one whole attack of `--full` iterations on the gradient map.
// `npm run bench -- attack --browser wasm|webgl|webgpu|cpu`: the same through the page's attack
// panel in Chromium (the grid's default parameters for each method, RDE excepted: see below).
// The page's run time includes the map at x and the random baseline, so the time per iteration
// is (T(1 + n) − T(1)) / n from two runs of 1 and 1 + n iterations.
import * as tf from '@tensorflow/tfjs';
import type { StudioTestHook } from '../src/ui/testHook';
import { join } from 'node:path';
import { setupNodeBackend } from '../src/core/tf/node';
import { runAttack } from '../src/core/attacks/attack';
import { PROJECT_ROOT } from '../src/node/modelFiles';
import { imageInput, openModel } from '../src/node/studioSession';
import { median, printTable } from './benchTable';
import { openStudio } from './browserHarness';

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

/** One attack through the panel; its run time (ms, measured by the page's run executor) and result. */
async function panelAttack(page: import('@playwright/test').Page, methodId: string, iterations: number) {
  await page.getByTestId('attack-method').selectOption(methodId);
  const field = page.locator('#attack-view').getByLabel('Iterations', { exact: true });
  await field.fill(String(iterations));
  await field.press('Enter');
  await page.getByTestId('attack-run').click();
  await page.waitForFunction(() => {
    const a = (window as unknown as { __studio: StudioTestHook }).__studio.snapshot().attack;
    return a.status !== 'running' && a.status !== 'queued' && a.status !== 'none';
  }, null, { timeout: 600_000, polling: 100 });
  const a = await page.evaluate(() => (window as unknown as { __studio: StudioTestHook }).__studio.snapshot().attack);
  if (a.status !== 'done') throw new Error(`${methodId}: the attack ended ${a.status}: ${a.error}`);
  return { ms: a.milliseconds!, a };
}

async function benchAttackBrowser(backend: string, iterations: number, only?: string[]) {
  const studio = await openStudio(`backend=${backend}&digit=digit-3-0.png`);
  try {
    const { page } = studio;
    // The page's own RDE check would share the worker with the attack.
    await page.getByTestId('rde-check-stop').click({ timeout: 2000 }).catch(() => {});
    await page.getByTestId('attack-open').click();
    const rows: Array<Record<string, string>> = [];
    for (const m of METHODS.filter((x) => !only || only.includes(x.id))) {
      // The panel attacks with the grid's parameters: RDE there runs at its panel default (300
      // iterations at most), so a black-box iteration on RDE costs a whole such run.
      const one = await panelAttack(page, m.id, 1);
      const many = await panelAttack(page, m.id, 1 + iterations);
      rows.push({
        method: m.id, kind: many.a.searchKind ?? '?',
        'ms / iteration': ((many.ms - one.ms) / iterations).toFixed(0),
        [`whole run, ${1 + iterations} it. (s)`]: (many.ms / 1000).toFixed(2),
        'top-k ∩ attack / random': `${many.a.best!.topkIntersection.toFixed(3)} / ${many.a.random!.topkIntersection.toFixed(3)}`,
      });
      console.error(`done: ${m.id}`);
    }
    const s = await studio.snapshot();
    console.log(`Chromium, backend ${s.backend}, digit-3-0.png (class ${s.predicted}); run times as the worker measures them`);
    printTable(rows);
    if (studio.problems.length) console.log(`page problems: ${studio.problems.join('; ')}`);
  } finally {
    await studio.close();
  }
}

export async function benchAttack(flags: Record<string, string>) {
  if (flags.browser) {
    await benchAttackBrowser(flags.browser, Number(flags.iterations ?? 10), flags.only?.split(','));
    return;
  }
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
