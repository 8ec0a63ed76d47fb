import { test, expect } from './studio';
import type { BackendName } from '../src/core/tf/backendNames';
import { EvaluateView, type EvaluateState } from './evaluateView';

/**
 * The evaluate view on every backend: the same curves as on WASM. The fillings are drawn by
 * tfjs-core in JavaScript from the seed (the default, 0, too: core/util/tfSeed.ts) and uploaded,
 * so every backend sees the same numbers; the
 * random map's order is seeded too, so its curve differs only by the forward passes' float32
 * rounding (the backend matrix measures ≤ 2e-6 relative on maps): 1e-4 relative leaves a margin.
 * The gradient map itself differs by ~1e-6 between backends, which may swap near-tied components
 * in its order; its area is compared at 1e-3.
 */
const CURVE_TOLERANCE = 1e-4;
const AREA_TOLERANCE = 1e-3;

test('the evaluate view gives WASM\'s curves on webgpu, webgl and cpu', async ({ studio, intake, compare, header }) => {
  test.setTimeout(240_000);
  const { page } = studio;
  const view = new EvaluateView(page, studio.hook);
  await intake.showDigit('digit-6-0.png');
  await studio.rde.setIterations(1);
  await compare.open();
  for (const id of ['smoothgrad', 'integrated-gradients', 'lrp', 'occlusion', 'rde']) await page.getByTestId(`compare-pick-${id}`).uncheck();
  await compare.waitFor(['gradient']);
  await view.openButton.click();
  await view.set('Fillings N', '16');
  await view.set('Largest rate', '0.05');

  async function measure(backend: BackendName): Promise<EvaluateState> {
    if (backend !== 'wasm') {
      await header.switchBackend(backend);
      await compare.waitFor(['gradient'], { backend });
      // The page's 1-iteration RDE is checked by Monte Carlo after the switch (~1.5 min on software WebGPU): stop it.
      await studio.rde.stopCheck();
    }
    await expect(view.runButton).toBeEnabled();
    await view.runButton.click();
    const done = await view.waitForEnd(120_000);
    expect(done.status, `${backend}: ${done.error ?? ''}`).toBe('done');
    return done;
  }

  const wasm = await measure('wasm');
  for (const backend of ['webgpu', 'webgl', 'cpu'] as const) {
    const got = await measure(backend);
    expect(got.methods).toEqual(wasm.methods);
    const r = got.curves.random.distortion, w = wasm.curves.random.distortion;
    expect(r).toHaveLength(w.length);
    const scale = Math.max(...w.map(Math.abs));
    const worst = Math.max(...r.map((v, i) => Math.abs(v - w[i]))) / scale;
    expect(worst, `${backend}: random map's curve`).toBeLessThan(CURVE_TOLERANCE);
    const g = got.curves.gradient.auc!.all, gw = wasm.curves.gradient.auc!.all;
    expect(Math.abs(g - gw) / gw, `${backend}: gradient's area`).toBeLessThan(AREA_TOLERANCE);
  }
});
