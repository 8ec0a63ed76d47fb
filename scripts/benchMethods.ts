// `npm run bench -- methods [--budget 20] [--only id,id] [--browser false]`: every registered
// method on the built-in MNIST model and one held-out digit (public/digits/digit-3-0.png), with
// the comparison settings of the RDE paper (METHODS.md 3 and 5; issue 5): the single-input
// forward and backward passes it reports, and the median time per explanation in Node (wasm)
// and in Chromium, through the studio's worker, on the backend the studio picks there.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { setupNodeBackend } from '../src/core/tf/node';
import { classify } from '../src/core/net/forward';
import { METHODS, parseMethodParams } from '../src/core/methods/registry';
import type { PassCount } from '../src/core/methods/types';
import { PROJECT_ROOT } from '../src/node/modelFiles';
import { imageInput, inputTensor, openModel } from '../src/node/studioSession';
import type { StudioTestHook } from '../src/ui/testHook';
import { openStudio } from './browserHarness';
import { median, printTable } from './benchTable';

const DIGIT = 'digit-3-0.png';
const SEED = 1;

/**
 * The paper's comparison settings: SmoothGrad² with noise 0.3 and 64 samples (METHODS.md 3),
 * Integrated Gradients with 64 steps, KernelSHAP and LIME with 1000 samples, every player
 * method on 7 x 7 patches (16 players on 28 x 28), RDE diagonal with all of its 300 iterations
 * (the early stop, on by default, turned off so the figure is a fixed amount of work). Methods
 * not listed run with their defaults.
 */
const COMPARISON: Record<string, Record<string, unknown>> = {
  smoothgrad: { noiseLevel: 0.3, samples: 64, variant: 'squared' },
  'integrated-gradients': { steps: 64 },
  rde: { mode: 'diag', rank: 0, iterations: 300, plateau: 0 },
  'shapley-exact': { players: 'grid', patch: 7 },
  'shapley-sampling': { players: 'grid', patch: 7 },
  'kernel-shap': { players: 'grid', patch: 7, samples: 1000 },
  lime: { players: 'grid', patch: 7, samples: 1000 },
};

/** `iterations`: what an iterative method (RDE) reports in its extras, where it reports no passes. */
interface Timing { milliseconds: number; passes: PassCount | null; iterations?: number }
interface Measured { median: number; runs: number; passes: PassCount | null; iterations?: number }

/**
 * One warm-up run, then as many timed runs as fit in the budget (at most 9). A method slower
 * than the budget is timed once, on that first run (the backend is warm by then: every
 * earlier method has run on it).
 */
async function measure(budgetMs: number, run: () => Promise<Timing>): Promise<Measured> {
  const first = await run();
  const more = Math.min(9, Math.floor(budgetMs / Math.max(first.milliseconds, 1)));
  if (more === 0) return { median: first.milliseconds, runs: 1, passes: first.passes, iterations: first.iterations };
  const times: number[] = [];
  for (let i = 0; i < more; i++) times.push((await run()).milliseconds);
  return { median: median(times), runs: more, passes: first.passes, iterations: first.iterations };
}

const settingsText = (id: string) => Object.entries(COMPARISON[id] ?? {}).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults';
const passText = (m: Pick<Measured, 'passes' | 'iterations'>) => (m.passes ? `${m.passes.forward} / ${m.passes.backward}`
  : `not reported${m.iterations ? ` (${m.iterations} iterations)` : ''}`);
const msText = (m: { median: number; runs: number }) => `${m.median < 100 ? m.median.toFixed(1) : m.median.toFixed(0)} (${m.runs})`;

async function inNode(ids: string[], budgetMs: number) {
  await setupNodeBackend('wasm');
  const { net, meta, reference } = await openModel('mnist');
  const x = inputTensor(imageInput(join(PROJECT_ROOT, 'public', 'digits', DIGIT), meta));
  const { predicted } = await classify(net, x);
  const results = new Map<string, Measured>();
  for (const id of ids) {
    const method = METHODS.find((m) => m.id === id)!;
    const params = parseMethodParams(method, COMPARISON[id] ?? {});
    results.set(id, await measure(budgetMs, async () => {
      const t0 = performance.now();
      const out = await method.explain(net, x, predicted, params, { seed: SEED, reference });
      const iterations = typeof out.extras?.iterations === 'number' ? out.extras.iterations : undefined;
      return { milliseconds: performance.now() - t0, passes: out.passes ?? null, iterations };
    }));
    console.error(`node: ${id} ${msText(results.get(id)!)}`);
  }
  x.dispose();
  return { predicted, results };
}

async function inChromium(ids: string[], budgetMs: number) {
  const studio = await openStudio(`digit=${DIGIT}`);
  try {
    const { backend, autoChoice, predicted } = await studio.snapshot();
    const results = new Map<string, Measured>();
    for (const id of ids) {
      results.set(id, await measure(budgetMs, () => studio.page.evaluate(
        ([methodId, params]) => (window as unknown as { __studio: StudioTestHook }).__studio.timeMethod(methodId, params),
        [id, COMPARISON[id] ?? {}] as const,
      )));
      console.error(`chromium: ${id} ${msText(results.get(id)!)}`);
    }
    if (studio.problems.length) console.error(studio.problems.join('\n'));
    return { backend, autoChoice, predicted, results };
  } finally {
    await studio.close();
  }
}

export async function benchMethods(flags: Record<string, string>): Promise<void> {
  const budgetMs = 1000 * Number(flags.budget ?? 20);
  const ids = flags.only ? flags.only.split(',') : METHODS.map((m) => m.id);
  for (const id of ids) if (!METHODS.some((m) => m.id === id)) throw new Error(`Unknown method "${id}".`);
  const node = await inNode(ids, budgetMs);
  const browser = flags.browser === 'false' ? null : await inChromium(ids, budgetMs);
  const browserColumn = browser ? `Chromium ${browser.backend} ms (runs)` : 'Chromium';
  const rows = ids.map((id) => {
    const n = node.results.get(id)!;
    const b = browser?.results.get(id);
    const mismatch = b && passText(b) !== passText({ passes: n.passes }) ? ` (Chromium: ${passText(b)})` : '';
    return {
      method: METHODS.find((m) => m.id === id)!.label,
      settings: settingsText(id),
      'forward / backward passes': passText(n) + mismatch,
      'Node wasm ms (runs)': msText(n),
      [browserColumn]: b ? msText(b) : 'not run',
    };
  });
  console.log(`${DIGIT} (held-out), class explained: the predicted ${node.predicted}${browser ? ` (Chromium: ${browser.predicted})` : ''}; seed ${SEED}; `
    + `tfjs ${tf.version.tfjs}; Chromium backend ${browser ? `${browser.backend} (auto picks ${browser.autoChoice})` : 'not measured'}; `
    + `median of up to 9 runs after a warm-up, within ${budgetMs / 1000} s per method (runs in brackets; 1 = the first run, no warm-up)`);
  printTable(rows);
}
