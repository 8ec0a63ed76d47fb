// Every method on every backend (DESIGN.md, Backends): real users get WebGPU or WebGL, while the
// unit tests run on WASM and CPU, so each registered method runs here on WebGPU (the fallback
// adapter), WebGL (SwiftShader), WASM and CPU, and its relevance is compared with WASM's; on each
// backend the attack panel runs a short attack and the evaluate view's curves are compared with
// WASM's (one backend switch per backend pays for all three).
// Small in size, not in coverage: few samples, steps and iterations, small player counts and
// fixed seeds keep the whole matrix within a few minutes on software adapters.
import { test, expect, type StudioPage } from './studio';
import { METHODS } from '../src/core/methods/registry';
import type { BackendName } from '../src/core/tf/backendNames';
import { AttackView } from './attackView';
import { EvaluateView, type EvaluateState } from './evaluateView';

interface Case {
  name: string;
  method: string;
  params: Record<string, unknown>;
  seed: number;
  /** Draws random numbers from the seed (noise, orders, coalitions, samples of V). */
  stochastic?: boolean;
}

/**
 * Each backend's map R is compared with WASM's R_w as max_i |R_i − R_w,i| / max_i |R_w,i| ≤ 1e-4.
 * All backends compute in float32 (relative rounding 6e-8) and differ only in the order of sums
 * (convolutions and dense layers add up to 1,600 products here; a GPU splits them into tiles)
 * and in their exp/erf: rounding that grows like √n·6e-8 per layer, about 1e-5 through this
 * network at worst. Seen here: at most 2e-6 on every backend, so 1e-4 leaves a margin of 50
 * while a real defect (a wrong kernel, a lost or zeroed tensor, other noise) moves maps by 1e-2
 * or more (the WASM test below checks that another seed does).
 * - Gradient and propagation methods are one pass: the rounding above, nothing more.
 * - Game-theoretic methods: float32 scores of forward passes; the sums, the regression
 *   (KernelSHAP, LIME) and the averages are float64 JavaScript, identical on every backend, and
 *   4 to 16 players keep the regressions well conditioned, so the score's rounding passes through.
 * - RDE iterates s ← clip(s − η m): a difference δ in one iteration's gradient moves s by η·δ,
 *   and the next gradient by at most L·η·δ (L the curvature of F), so two iterations add
 *   rounding, they do not amplify it. Only a flipped Armijo decision (F within rounding of the
 *   acceptance bound) could jump, and that would show as an error near 1e-1, not pass unseen.
 * - Seeds: SmoothGrad, Shapley sampling and LIME draw from the project's mulberry32 in
 *   JavaScript, RDE's Monte Carlo and the samples of V from tf.randomNormal with a seed, which
 *   tfjs-core fills in JavaScript (MPRandGauss) and then uploads: the same numbers on every
 *   backend, so these are compared exactly like the deterministic ones.
 */
const TOLERANCE = 1e-4;

// Two iterations, line searches of 2 masks at once (the batched path), 4 Monte-Carlo samples.
const RDE_SMALL = { iterations: 2, lineSearch: 2, lambda: 0.5, samples: 4, plateau: 0 };

const CASES: Case[] = [
  ...['raw', 'absolute', 'squared'].map((variant) => ({ name: `gradient ${variant}`, method: 'gradient', params: { variant }, seed: 1 })),
  { name: 'gradient × input', method: 'gradient-input', params: {}, seed: 1 },
  { name: 'SmoothGrad, 4 samples', method: 'smoothgrad', params: { samples: 4 }, seed: 7, stochastic: true },
  { name: 'Integrated Gradients, 4 steps', method: 'integrated-gradients', params: { steps: 4 }, seed: 1 },
  { name: 'Guided Backprop', method: 'guided-backprop', params: {}, seed: 1 },
  { name: 'Deconvnet', method: 'deconvnet', params: {}, seed: 1 },
  ...['epsilon-gamma-box', 'epsilon-plus-flat', 'preset-b'].map((composite) => ({ name: `LRP ${composite}`, method: 'lrp', params: { composite }, seed: 1 })),
  { name: 'Deep Taylor', method: 'deep-taylor', params: {}, seed: 1 },
  // Diag mode ignores the rank (it is the diagonal of V at any rank): rank 4 must give rank 0's map.
  ...([['diag', 0], ['diag', 4], ['lowrank', 2], ['lowrank-diag', 2], ['mc', 0], ['mc', 2]] as const).map(([mode, rank]) => ({
    name: `RDE ${mode} rank ${rank}`, method: 'rde', params: { ...RDE_SMALL, mode, rank }, seed: 3, stochastic: mode === 'mc',
  })),
  { name: 'RDE diag rank 0, Adam', method: 'rde', params: { ...RDE_SMALL, optimizer: 'adam', step: 50 }, seed: 3 },
  { name: 'Shapley exact, 4 players', method: 'shapley-exact', params: { patch: 14 }, seed: 1 },
  {
    name: 'Shapley exact, 4 players, 2 samples of V', method: 'shapley-exact',
    params: { patch: 14, baseline: 'reference-samples', referenceSamples: 2 }, seed: 5, stochastic: true,
  },
  { name: 'Shapley sampling, 4 players, 2 orders', method: 'shapley-sampling', params: { patch: 14, samples: 2 }, seed: 5, stochastic: true },
  { name: 'KernelSHAP, 4 players, all 14 coalitions', method: 'kernel-shap', params: { patch: 14, samples: 14 }, seed: 5 },
  { name: 'LIME, 16 superpixels, 16 coalitions', method: 'lime', params: { segments: 16, samples: 16 }, seed: 5, stochastic: true },
  { name: 'Occlusion, 10-pixel window, stride 9', method: 'occlusion', params: { window: 10, stride: 9 }, seed: 1 },
];

interface Run {
  relevance: number[];
  milliseconds: number;
  backend: string;
}

/** WASM's relevance per case, computed once per worker process (again after a failed test). */
let reference: Map<string, Run> | null = null;
/** Milliseconds per case and backend, printed at the end. */
const timings = new Map<string, Partial<Record<BackendName, number>>>();

function maxAbs(values: number[]): number {
  return values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** max_i |R_i − R_w,i| / max_i |R_w,i|; Infinity when the shapes differ. */
function relativeError(got: number[], want: number[]): number {
  if (got.length !== want.length) return Infinity;
  return got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0) / maxAbs(want);
}

function runMethod(studio: StudioPage, c: Case, seed = c.seed): Promise<Run> {
  return studio.hook.eval((h, { method, params, seed }) => h.runMethod(method, params, seed), { method: c.method, params: c.params, seed });
}

/**
 * Loads the digit, then cuts the page's own RDE run to 1 iteration (the change cancels the run
 * the digit started), so the page's runs after each backend switch end fast on every backend.
 */
async function prepare(studio: StudioPage): Promise<void> {
  await studio.intake.showDigit('digit-6-0.png');
  await studio.rde.setIterations(1);
  await studio.rde.waitForRun({ iterations: 1 });
}

/** Switches through the backend select; an unavailable backend fails the test, naming why. */
async function switchTo(studio: StudioPage, backend: BackendName): Promise<void> {
  const { header } = studio;
  const option = header.backendOption(backend);
  const available = await option.isEnabled();
  expect(available, `${backend} is not available in this browser: ${await option.getAttribute('title')}`).toBe(true);
  // The switch starts a fresh worker with the model and image ('ready'); the page then
  // recomputes its gradient map and a 1-iteration RDE on the new backend, then checks that mask
  // by Monte Carlo (~1.5 min on software WebGPU). The check is stopped with its Stop button (its
  // estimate so far stays, marked stopped), so the cases' timings are their own.
  await header.switchBackend(backend);
  await studio.hook.waitFor((s) => s.runs.gradient?.status === 'done', undefined, { polling: 200, timeout: 150_000 });
  // Waits for the RDE run itself, then stops its check.
  await studio.rde.stopCheck();
}

/**
 * The attack panel's gradient attack (the one place that differentiates a map again, on the
 * softplus network) for 3 iterations on this backend: it ends, keeps the class and stays in the
 * ε-ball. Its iterates are not compared with WASM's: a signed-gradient step flips with the sign
 * of a component within rounding of zero, so two backends may walk apart legitimately.
 */
async function smallAttack(studio: StudioPage, backend: BackendName): Promise<void> {
  const view = new AttackView(studio.page, studio.hook);
  await view.open();
  await view.set('Iterations', '3');
  const a = await view.run(120_000);
  expect(a.error, `attack on ${backend}`).toBeNull();
  expect(a.status).toBe('done');
  expect(a.trace).toHaveLength(3);
  expect(a.best!.labelKept).toBe(true);
  expect(a.best!.linf).toBeLessThanOrEqual(8 / 255 + 1e-6);
  expect(a.random!.linf).toBeLessThanOrEqual(8 / 255 + 1e-6);
}

/**
 * The evaluate view on this backend (merged here from its own spec: the matrix already pays for
 * each backend switch): the gradient map alone in the grid, N = 16 fillings, rates up to 5 %.
 * The fillings are drawn by tfjs-core in JavaScript from the seed (the default, 0, too:
 * core/util/tfSeed.ts) and uploaded, so every backend sees the same numbers; the random map's order
 * is seeded too, so its curve differs from WASM's only by the forward passes' float32 rounding
 * (≤ 2e-6 relative on maps, above): 1e-4 relative leaves a margin. The gradient map itself differs
 * by ~1e-6 between backends, which may swap near-tied components in its order; its area is
 * compared at 1e-3.
 */
const CURVE_TOLERANCE = 1e-4;
const AREA_TOLERANCE = 1e-3;
let evaluationReference: EvaluateState | null = null;

async function evaluateHere(studio: StudioPage, backend: BackendName): Promise<EvaluateState> {
  const { page, compare } = studio;
  const view = new EvaluateView(page, studio.hook);
  await compare.open();
  for (const id of ['smoothgrad', 'integrated-gradients', 'lrp', 'occlusion', 'rde']) await page.getByTestId(`compare-pick-${id}`).uncheck();
  await compare.waitFor(['gradient'], { backend });
  await view.openButton.click();
  await view.set('Fillings N', '16');
  await view.set('Largest rate', '0.05');
  await expect(view.runButton).toBeEnabled();
  await view.runButton.click();
  const done = await view.waitForEnd(120_000);
  expect(done.status, `evaluation on ${backend}: ${done.error ?? ''}`).toBe('done');
  return done;
}

function compareEvaluations(got: EvaluateState, want: EvaluateState, backend: BackendName): void {
  expect(got.methods).toEqual(want.methods);
  const r = got.curves.random.distortion, w = want.curves.random.distortion;
  expect(r).toHaveLength(w.length);
  const scale = Math.max(...w.map(Math.abs));
  const worst = Math.max(...r.map((v, i) => Math.abs(v - w[i]))) / scale;
  expect(worst, `${backend}: random map's curve`).toBeLessThan(CURVE_TOLERANCE);
  const g = got.curves.gradient.auc!.all, gw = want.curves.gradient.auc!.all;
  expect(Math.abs(g - gw) / gw, `${backend}: gradient's area`).toBeLessThan(AREA_TOLERANCE);
}

/** Runs every case on the current backend; a case that throws is reported, not fatal. */
async function runAll(studio: StudioPage, backend: BackendName): Promise<Map<string, Run | Error>> {
  const out = new Map<string, Run | Error>();
  for (const c of CASES) {
    try {
      const run = await runMethod(studio, c);
      expect(run.backend).toBe(backend);
      out.set(c.name, run);
      timings.set(c.name, { ...timings.get(c.name), [backend]: run.milliseconds });
    } catch (err) {
      out.set(c.name, err instanceof Error ? err : new Error(String(err)));
    }
  }
  return out;
}

async function wasmReference(studio: StudioPage): Promise<Map<string, Run>> {
  if (reference) return reference;
  await switchTo(studio, 'wasm');
  const runs = await runAll(studio, 'wasm');
  const problems: string[] = [];
  const ok = new Map<string, Run>();
  for (const c of CASES) {
    const r = runs.get(c.name)!;
    if (r instanceof Error) problems.push(`${c.name}: ${r.message}`);
    else if (!r.relevance.every(Number.isFinite)) problems.push(`${c.name}: relevance not finite`);
    // A map of zeros would match anything within a relative tolerance.
    else if (maxAbs(r.relevance) === 0) problems.push(`${c.name}: relevance all zero`);
    else ok.set(c.name, r);
  }
  expect(problems, `WASM, the reference, failed:\n${problems.join('\n')}`).toEqual([]);
  reference = ok;
  return ok;
}

/** WASM's evaluation, on the page as it is after the reference (switched to WASM). */
async function wasmEvaluation(studio: StudioPage): Promise<EvaluateState> {
  if (!evaluationReference) {
    if ((await studio.hook.snapshot()).backend !== 'wasm') await switchTo(studio, 'wasm');
    evaluationReference = await evaluateHere(studio, 'wasm');
  }
  return evaluationReference;
}

test('the matrix covers every registered method', () => {
  const covered = new Set(CASES.map((c) => c.method));
  expect(METHODS.map((m) => m.id).filter((id) => !covered.has(id))).toEqual([]);
});

test.describe('backend matrix: every method on every backend, compared with WASM', () => {
  test.describe.configure({ timeout: 330_000 });

  test('wasm: every method gives a finite, non-zero map (the reference); the comparison would see another seed', async ({ studio }) => {
    await prepare(studio);
    reference = null;
    evaluationReference = null;
    const want = await wasmReference(studio);
    expect(want.get('RDE diag rank 4')!.relevance).toEqual(want.get('RDE diag rank 0')!.relevance);
    // Same seed, same map (DESIGN.md) — and another seed must move the map far beyond the
    // tolerance, or comparing seeded methods across backends would prove nothing.
    const report: string[] = [];
    for (const c of CASES.filter((k) => k.stochastic)) {
      const again = await runMethod(studio, c);
      expect(again.relevance, `${c.name}: same seed, same map`).toEqual(want.get(c.name)!.relevance);
      const other = relativeError((await runMethod(studio, c, c.seed + 1)).relevance, want.get(c.name)!.relevance);
      report.push(`${c.name.padEnd(48)} ${other.toExponential(2)}`);
      expect(other, `${c.name}: seed ${c.seed + 1} against seed ${c.seed}`).toBeGreaterThan(100 * TOLERANCE);
    }
    console.log(`wasm, another seed (relative difference):\n${report.join('\n')}`);
    // The evaluate view's curves on WASM: what the other backends' are compared with.
    const curves = await wasmEvaluation(studio);
    expect(curves.curves.random.distortion.length).toBeGreaterThan(1);
  });

  for (const backend of ['cpu', 'webgpu', 'webgl'] as const) {
    test(`${backend}: every method matches WASM`, async ({ studio }) => {
      await prepare(studio);
      const want = await wasmReference(studio);
      // A worker process that did not run the WASM test (a retry) measures WASM's evaluation first.
      const wantCurves = evaluationReference ?? await wasmEvaluation(studio);
      await switchTo(studio, backend);
      const got = await runAll(studio, backend);
      const problems: string[] = [];
      const report: string[] = [];
      for (const c of CASES) {
        const r = got.get(c.name)!;
        if (r instanceof Error) {
          problems.push(`${c.name}: ${r.message}`);
          continue;
        }
        const error = relativeError(r.relevance, want.get(c.name)!.relevance);
        report.push(`${c.name.padEnd(48)} ${error.toExponential(2)}  ${r.milliseconds.toFixed(0).padStart(6)} ms`);
        if (!(error <= TOLERANCE)) problems.push(`${c.name}: max |ΔR| / max |R_wasm| = ${error.toExponential(2)} > ${TOLERANCE}`);
      }
      console.log(`${backend} against wasm (relative error, time):\n${report.join('\n')}`);
      expect(problems, `${backend}:\n${problems.join('\n')}`).toEqual([]);
      await smallAttack(studio, backend);
      compareEvaluations(await evaluateHere(studio, backend), wantCurves, backend);
    });
  }
});

test.afterAll(() => {
  const backends: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
  const lines = [...timings].map(([name, t]) => `${name.padEnd(48)} ${backends.map((b) => (t[b] === undefined ? '—' : t[b]!.toFixed(0)).padStart(8)).join('')}`);
  console.log(`milliseconds per run${' '.repeat(28)}${backends.map((b) => b.padStart(8)).join('')}\n${lines.join('\n')}`);
});
