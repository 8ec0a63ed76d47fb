import { test, expect, type StudioPage } from './studio';
import type { Locator } from '@playwright/test';
import type { BackendName } from '../src/core/tf/backendNames';

test.use({ startAt: null });

/**
 * Every finished RDE mask is checked by Monte Carlo in the worker (core/rde/verify.ts): the panel
 * shows D by ADF at once and "D̂ ± s.e. (Monte Carlo, n samples)" when the check ends, the
 * frontier places the point at the Monte-Carlo value, and the comparison card shows the same
 * check. A backend switch runs the panel's RDE again, and its check, on the new backend. The noise
 * is drawn in JavaScript from the seed, so every backend samples the same y; masks and passes
 * differ by float32 rounding only (backend matrix: ≤ 2e-6 relative), so the Monte-Carlo D agrees
 * to 1e-3 relative (its own s.e. is ~2 %: the tolerance tests the same samples, not two estimates).
 * Software WebGPU needs ~1.5 min for the check's 512 passes: that leg is in the slow suite.
 */
const AGREEMENT = 1e-3;
const CHECK_TEXT = /^D = [\d.]+ \(ADF\) · [\d.]+ ± [\d.]+ \(Monte Carlo, [\d,]+ samples\)$/;
const LINK = '/?digit=digit-6-0.png&iterations=8';

interface Check { adf: number; mc: number; se: number; samples: number; text: string }

async function read(locator: Locator, backend: BackendName): Promise<Check> {
  await expect(locator).toHaveAttribute('data-backend', backend, { timeout: 120_000 });
  await expect(locator).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  const attr = async (name: string) => Number(await locator.getAttribute(name));
  return { adf: await attr('data-adf'), mc: await attr('data-mc'), se: await attr('data-mc-se'), samples: await attr('data-mc-samples'), text: (await locator.textContent()) ?? '' };
}

async function onBackend(studio: StudioPage, switchBackend: (b: BackendName) => Promise<unknown>, backend: BackendName, wasm: Check): Promise<string> {
  const t0 = Date.now();
  await switchBackend(backend);
  const here = await read(studio.page.getByTestId('rde-check'), backend);
  expect(here.samples, backend).toBe(wasm.samples);
  expect(Math.abs(here.mc - wasm.mc) / wasm.mc, backend).toBeLessThan(AGREEMENT);
  expect(Math.abs(here.adf - wasm.adf) / wasm.adf, backend).toBeLessThan(AGREEMENT);
  return `${here.text}; run and check ${Date.now() - t0} ms`;
}

test('the Monte-Carlo check of RDE\'s mask on the panel, the frontier and the card, the same on webgl and cpu', async ({ studio, rde, compare, header }, info) => {
  test.setTimeout(240_000);
  const { page } = studio;
  await studio.open(LINK);
  await studio.waitForRde();
  const wasm = await read(page.getByTestId('rde-check'), 'wasm');
  expect(wasm.text).toMatch(CHECK_TEXT);
  expect(wasm.se).toBeLessThanOrEqual(0.02 * wasm.mc);
  // At the mask it found, diagonal ADF reports well under the Monte-Carlo D (6.25 against 12.7 on this digit after 33 iterations).
  expect(wasm.adf).toBeLessThan(wasm.mc - 3 * wasm.se);
  await expect(rde.points).toHaveCount(1);
  await expect(rde.points).toHaveAttribute('data-verified', 'yes');
  expect(Number(await rde.points.getAttribute('data-d'))).toBe(wasm.mc);
  await rde.points.focus();
  await expect(rde.tooltip).toContainText(`(Monte Carlo)`);

  // The card reuses the panel's mask (same parameters and class) and shows the same check.
  await compare.open();
  await page.getByTestId('compare-params-rde').click();
  await compare.setParam(compare.param('rde', 'iterations'), '8');
  await page.getByTestId('compare-run-rde').click();
  await expect(page.getByTestId('compare-status-rde')).toContainText('From the RDE panel');
  expect((await read(page.getByTestId('compare-rde-check'), 'wasm')).mc).toBe(wasm.mc);
  await compare.toggle.click();

  // A Monte-Carlo refinement of 4 iterations continues the trace; the read-out names the optimiser's D for what it is.
  await page.getByTestId('rde-refine').fill('4');
  await page.getByTestId('rde-refine').press('Enter');
  const refined = await rde.waitForRun({ refine: 4 });
  expect(refined.rde.iterations).toBeGreaterThan(8);
  expect(refined.rde.iterations).toBeLessThanOrEqual(12);
  const afterRefine = await read(page.getByTestId('rde-check'), 'wasm');
  expect(afterRefine.text).toMatch(/^D = [\d.]+ \(refined on 64 draws\) · [\d.]+ ± [\d.]+ \(Monte Carlo, [\d,]+ samples\)$/);
  await page.getByTestId('rde-refine').fill('0');
  await page.getByTestId('rde-refine').press('Enter');
  await rde.waitForRun({ refine: 0 });

  for (const backend of ['webgl', 'cpu'] as BackendName[]) {
    info.annotations.push({ type: backend, description: await onBackend(studio, (b) => header.switchBackend(b), backend, wasm) });
  }
  // Points survive a switch, each at its own check: the three WASM points and the two new ones.
  await expect(rde.points).toHaveCount(5);
  await expect(page.locator('[data-testid="rd-point"][data-verified="yes"]')).toHaveCount(5);
  await rde.keepScreenshot(info, 'rde-check');
});

test('@slow the Monte-Carlo check on software WebGPU gives WASM\'s number', async ({ studio, header }, info) => {
  test.setTimeout(420_000);
  await studio.open(LINK);
  await studio.waitForRde();
  const wasm = await read(studio.page.getByTestId('rde-check'), 'wasm');
  info.annotations.push({ type: 'webgpu', description: await onBackend(studio, (b) => header.switchBackend(b), 'webgpu', wasm) });
});
