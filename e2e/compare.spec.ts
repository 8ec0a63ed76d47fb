import type { Page } from '@playwright/test';
import { test, expect, type StudioPage } from './studio';
import type { StudioTestHook } from '../src/ui/testHook';
import { formatValue } from '../src/ui/compare/format';
import { NORMALISATIONS } from '../src/store/compareSlice';

type Compare = ReturnType<StudioTestHook['snapshot']>['compare'];

/** The cheap methods of the default grid; RDE, the sixth, is expensive and waits for Run. */
const CHEAP = ['gradient', 'smoothgrad', 'integrated-gradients', 'lrp', 'occlusion'];

/** Waits until every method in `ids` has finished (and `extra` holds of the snapshot), and returns it. */
async function waitForCompare(page: Page, ids: string[], extra: { method: string; param: string; value: unknown } | null = null): Promise<Compare> {
  await page.waitForFunction(({ ids, extra }) => {
    const c = (window as unknown as { __studio: StudioTestHook }).__studio.snapshot().compare;
    if (!ids.every((id) => c.methods[id]?.status === 'done')) return false;
    return extra === null || c.methods[extra.method].params?.[extra.param] === extra.value;
  }, { ids, extra }, { timeout: 90_000 });
  return (await page.evaluate(() => (window as unknown as { __studio: StudioTestHook }).__studio.snapshot())).compare;
}

async function openDigit(studio: StudioPage, file: string): Promise<void> {
  await studio.page.getByTestId(`digit-${file}`).click();
  await studio.waitForMap(`Test digit ${file[6]} (${file})`);
}

function legendMax(page: Page, id: string) {
  return page.getByTestId(`compare-legend-max-${id}`);
}

test('opening the comparison runs the cheap methods one at a time, each map with its time and axiom check', async ({ studio }) => {
  const { page } = studio;
  await openDigit(studio, 'digit-3-0.png');
  // Nothing runs while the view is closed.
  expect((await studio.snapshot()).compare.methods).toEqual({});
  // Watch the store from inside the page while the view opens: how many compare runs are in the worker at once.
  const watched = page.evaluate(async (ids) => {
    const hook = (window as unknown as { __studio: StudioTestHook }).__studio;
    let maxRunning = 0;
    let sawQueued = false;
    const deadline = performance.now() + 90_000;
    while (performance.now() < deadline) {
      const methods = hook.snapshot().compare.methods;
      maxRunning = Math.max(maxRunning, ids.filter((id) => methods[id]?.status === 'running').length);
      sawQueued ||= ids.some((id) => methods[id]?.status === 'queued');
      if (ids.every((id) => methods[id]?.status === 'done')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    return { maxRunning, sawQueued };
  }, CHEAP);
  // Keyboard: the disclosure button opens the view.
  await page.getByRole('button', { name: 'Show methods side by side' }).press('Enter');
  await expect(page.getByTestId('compare-toggle')).toHaveAttribute('aria-expanded', 'true');
  const order = await watched;
  expect(order).toEqual({ maxRunning: 1, sawQueued: true });
  const c = await waitForCompare(page, CHEAP);
  const s = await studio.snapshot();
  expect(s.predicted).toBe(3);
  for (const id of CHEAP) {
    const m = c.methods[id];
    expect(m.target).toBe(3);
    expect(m.milliseconds).toBeGreaterThan(0);
    await expect(page.getByTestId(`compare-status-${id}`)).toHaveText(new RegExp(`^${Math.round(m.milliseconds!)} ms on `));
    await expect(page.getByTestId(`compare-map-${id}`)).toBeVisible();
  }
  // The comparison's runs are its own: the main panel's gradient run is still there, for the same class.
  expect(s.runs.gradient.status).toBe('done');
  expect(c.methods.gradient.max).toBeCloseTo(s.runs.gradient.max!, 5);

  // Integrated Gradients (64 middle-Riemann steps from zeros): completeness within 5% of Φ(x) − Φ(0).
  const ig = c.methods['integrated-gradients'].check!;
  expect(ig.axiom).toBe('completeness');
  expect(Math.abs(ig.sum - ig.expected)).toBeLessThan(0.05 * Math.abs(ig.expected));
  await expect(page.getByTestId('compare-check-integrated-gradients'))
    .toContainText(`completeness: Σ ${formatValue(ig.sum)} vs ${formatValue(ig.expected)}, gap ${formatValue(ig.sum - ig.expected)}`);
  // LRP (EpsilonGammaBox): the conservation numbers are shown; Σ R is the logit handed back less what biases absorb.
  const lrp = c.methods.lrp.check!;
  expect(lrp.axiom).toBe('conservation');
  expect(lrp.expected).toBeCloseTo(s.logits![3], 3);
  await expect(page.getByTestId('compare-check-lrp'))
    .toHaveText(new RegExp(`^conservation: Σ ${formatValue(lrp.sum)} vs ${formatValue(lrp.expected)}, gap ${formatValue(lrp.sum - lrp.expected)}`));
  // Methods without an axiom show none; RDE waits for its Run button.
  await expect(page.getByTestId('compare-check-gradient')).toHaveCount(0);
  expect(c.methods.rde).toBeUndefined();
  await expect(page.getByTestId('compare-status-rde')).toHaveText('Runs when you press Run.');
  await expect(page.getByTestId('compare-run-rde')).toBeEnabled();
});

test('a parameter edited in place recomputes that map only; a bad value is refused beside its field', async ({ studio }) => {
  const { page } = studio;
  await openDigit(studio, 'digit-3-0.png');
  await page.getByTestId('compare-toggle').click();
  const before = await waitForCompare(page, CHEAP, { method: 'integrated-gradients', param: 'steps', value: 64 });
  // The field is found by its label, as a screen reader would announce it.
  const steps = page.getByTestId('compare-card-integrated-gradients').getByRole('spinbutton', { name: 'steps' });
  await expect(steps).toHaveValue('64');
  await steps.fill('8');
  await steps.press('Enter');
  const after = await waitForCompare(page, CHEAP, { method: 'integrated-gradients', param: 'steps', value: 8 });
  const ig0 = before.methods['integrated-gradients'];
  const ig1 = after.methods['integrated-gradients'];
  // Same path ends, so the same Φ(x) − Φ(0); a coarser quadrature, so another sum and another map.
  expect(ig1.check!.expected).toBeCloseTo(ig0.check!.expected, 4);
  expect(ig1.check!.sum).not.toBeCloseTo(ig0.check!.sum, 4);
  expect(ig1.max).not.toBe(ig0.max);
  await expect(page.getByTestId('compare-check-integrated-gradients')).toContainText(`Σ ${formatValue(ig1.check!.sum)}`);
  // The other maps were not recomputed.
  expect(after.methods.gradient.milliseconds).toBe(before.methods.gradient.milliseconds);
  expect(after.methods.lrp.milliseconds).toBe(before.methods.lrp.milliseconds);

  for (const bad of ['0', '2.5', '5000']) {
    await steps.fill(bad);
    await steps.press('Enter');
    await expect(page.getByTestId('compare-param-integrated-gradients-steps-problem')).toHaveText('steps must be a whole number from 1 to 4096.');
    await expect(steps).toHaveAttribute('aria-invalid', 'true');
  }
  const epsilon = page.getByTestId('compare-param-lrp-epsilon');
  await epsilon.fill('0');
  await epsilon.press('Enter');
  await expect(page.getByTestId('compare-param-lrp-epsilon-problem')).toHaveText('epsilon must be a number greater than 0 and at most 1e+6.');
  // Nothing ran for the refused values.
  const still = (await studio.snapshot()).compare;
  expect(still.methods['integrated-gradients'].params!.steps).toBe(8);
  expect(still.methods['integrated-gradients'].milliseconds).toBe(ig1.milliseconds);
  expect(still.methods.lrp.milliseconds).toBe(before.methods.lrp.milliseconds);
  // A good value clears the message.
  await steps.fill('16');
  await steps.press('Enter');
  await expect(page.getByTestId('compare-param-integrated-gradients-steps-problem')).toHaveCount(0);
  await waitForCompare(page, CHEAP, { method: 'integrated-gradients', param: 'steps', value: 16 });
});

test('normalisation per map, shared or percentile-clipped, and the sign modes set the legends; kept as a screenshot', async ({ studio }, testInfo) => {
  const { page } = studio;
  await openDigit(studio, 'digit-3-0.png');
  await page.getByTestId('compare-toggle').click();
  const perMap = await waitForCompare(page, CHEAP);
  const read = async () => (await studio.snapshot()).compare;
  // Per map: each legend is ±max |R| of its own map (one channel, so the raw range).
  for (const id of CHEAP) {
    const m = perMap.methods[id];
    expect(m.limit).toBeCloseTo(Math.max(Math.abs(m.min!), Math.abs(m.max!)), 6);
    await expect(legendMax(page, id)).toHaveText(formatValue(m.limit!));
  }
  const largest = Math.max(...CHEAP.map((id) => perMap.methods[id].limit!));

  // Keyboard: arrow keys move through the radio group.
  await page.getByTestId('compare-norm-per-map').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: NORMALISATIONS.shared })).toBeChecked();
  await expect.poll(async () => (await read()).normalisation).toBe('shared');
  // Shared within a unit (e2e/displayModes.spec.ts checks the groups): each legend shows the largest |R| of its unit's maps.
  const shared = await read();
  for (const id of CHEAP) {
    const sameUnit = CHEAP.filter((o) => shared.methods[o].unit === shared.methods[id].unit);
    await expect(legendMax(page, id)).toHaveText(formatValue(Math.max(...sameUnit.map((o) => perMap.methods[o].limit!))));
  }
  const smallest = CHEAP.reduce((a, id) => (perMap.methods[id].limit! < perMap.methods[a].limit! ? id : a));
  expect(formatValue(perMap.methods[smallest].limit!)).not.toBe(formatValue(largest));

  await page.getByTestId('compare-norm-percentile').check();
  await expect.poll(async () => (await read()).normalisation).toBe('percentile');
  const clipped = await read();
  for (const id of CHEAP) {
    expect(clipped.methods[id].limit!).toBeLessThanOrEqual(perMap.methods[id].limit! + 1e-9);
    await expect(legendMax(page, id)).toHaveText(formatValue(clipped.methods[id].limit!));
  }
  // The gradient's 99th percentile of |R| lies well below its maximum (a few pixels dominate).
  expect(clipped.methods.gradient.limit!).toBeLessThan(0.9 * perMap.methods.gradient.limit!);

  await page.getByTestId('compare-norm-per-map').check();
  await page.getByTestId('compare-sign-negative').check();
  await expect.poll(async () => (await read()).sign).toBe('negative');
  // Negative part only: blue at min R of each map to white at 0.
  for (const id of ['gradient', 'integrated-gradients']) {
    await expect(page.getByTestId(`compare-legend-min-${id}`)).toHaveText(formatValue(perMap.methods[id].min!));
    await expect(legendMax(page, id)).toHaveText('0');
  }
  await page.getByTestId('compare-sign-positive').check();
  for (const id of ['gradient', 'integrated-gradients']) {
    await expect(legendMax(page, id)).toHaveText(formatValue(perMap.methods[id].max!));
  }
  await page.getByTestId('compare-sign-absolute').check();
  const absolute = await read();
  expect(absolute.sign).toBe('absolute');
  await expect(legendMax(page, 'gradient')).toHaveText(formatValue(perMap.methods.gradient.limit!));
  await page.getByTestId('compare-sign-all').check();

  const shot = testInfo.outputPath('compare-view.png');
  await page.getByTestId('panel-compare').screenshot({ path: shot });
  await testInfo.attach('comparison view', { path: shot, contentType: 'image/png' });
});

/** Progress values a method's run reports while it runs, read in the page until it settles. */
function watchProgress(page: Page, id: string): Promise<{ progress: number[]; status: string }> {
  return page.evaluate(async (id) => {
    const hook = (window as unknown as { __studio: StudioTestHook }).__studio;
    const progress: number[] = [];
    const deadline = performance.now() + 90_000;
    let started = false;
    while (performance.now() < deadline) {
      const m = hook.snapshot().compare.methods[id];
      if (m?.status === 'running') {
        started = true;
        if (progress[progress.length - 1] !== m.progress) progress.push(m.progress);
      } else if (started || m?.status === 'done') return { progress, status: m?.status ?? 'none' };
      await new Promise((r) => setTimeout(r, 5));
    }
    return { progress, status: 'timeout' };
  }, id);
}

test('expensive methods run only when asked, with progress and cancel; a new input clears them and recomputes the cheap maps', async ({ studio }) => {
  const { page } = studio;
  await openDigit(studio, 'digit-3-0.png');
  await page.getByTestId('compare-toggle').click();
  await page.getByRole('checkbox', { name: 'KernelSHAP (on request)' }).check();
  await expect(page.getByTestId('compare-card-kernel-shap')).toBeVisible();
  const first = await waitForCompare(page, CHEAP);
  expect(first.methods['kernel-shap']).toBeUndefined();
  expect(first.methods.rde).toBeUndefined();
  await expect(page.getByTestId('compare-status-kernel-shap')).toHaveText('Runs when you press Run.');

  // RDE (1500 iterations by default) yields to the worker's event loop every iteration, so a cancel stops it at once.
  await page.getByTestId('compare-run-rde').click();
  await expect(page.getByTestId('compare-progress-rde')).toBeVisible();
  await page.waitForFunction(() => {
    const m = (window as unknown as { __studio: StudioTestHook }).__studio.snapshot().compare.methods.rde;
    return m?.status === 'running' && m.progress > 0;
  }, null, { timeout: 60_000 });
  await expect(page.getByTestId('compare-status-rde')).toHaveText('Computing…');
  await expect(page.getByTestId('compare-percent-rde')).toHaveText(/^\d+%$/);
  await page.getByTestId('compare-cancel-rde').click();
  await expect(page.getByTestId('compare-status-rde')).toHaveText('Cancelled.');
  const rde = (await studio.snapshot()).compare.methods.rde;
  expect(rde.status).toBe('cancelled');
  expect(rde.progress).toBeGreaterThan(0);
  expect(rde.progress).toBeLessThan(1);
  await expect(page.getByTestId('compare-progress-rde')).toHaveCount(0);
  await expect(page.getByTestId('compare-run-rde')).toBeEnabled();

  // KernelSHAP on 16 players (7 x 7 patches), 1000 coalitions in batches of 128: progress in steps, then efficiency holds
  // exactly (it is a constraint of the regression).
  await page.getByTestId('compare-params-kernel-shap').click();
  await page.getByTestId('compare-param-kernel-shap-patch').fill('7');
  await page.getByTestId('compare-param-kernel-shap-patch').press('Enter');
  const watched = watchProgress(page, 'kernel-shap');
  await page.getByTestId('compare-run-kernel-shap').click();
  const { progress, status } = await watched;
  expect(status).toBe('done');
  expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
  const shap = (await waitForCompare(page, ['kernel-shap'])).methods['kernel-shap'];
  expect(shap.params).toMatchObject({ samples: 1000, patch: 7 });
  expect(Math.abs(shap.check!.sum - shap.check!.expected)).toBeLessThan(1e-3 * Math.abs(shap.check!.expected));
  await expect(page.getByTestId('compare-check-kernel-shap')).toContainText('efficiency: Σ');
  await expect(page.getByTestId('compare-map-kernel-shap')).toBeVisible();

  // Another input: the cheap maps are recomputed for it, the expensive ones are cleared until asked for.
  await openDigit(studio, 'digit-8-0.png');
  const next = await waitForCompare(page, CHEAP);
  expect(next.methods['kernel-shap']).toBeUndefined();
  expect(next.methods.rde).toBeUndefined();
  await expect(page.getByTestId('compare-map-kernel-shap')).toHaveCount(0);
  for (const id of CHEAP) expect(next.methods[id].target).toBe(8);
  expect(next.methods['integrated-gradients'].check!.expected).not.toBeCloseTo(first.methods['integrated-gradients'].check!.expected, 1);
  // The edited parameters stay with the method.
  await expect(page.getByTestId('compare-param-kernel-shap-patch')).toHaveValue('7');

  // Another class to explain: the grid follows it.
  await page.getByRole('radio', { name: 'Explain class 3' }).check();
  await page.waitForFunction(() => {
    const c = (window as unknown as { __studio: StudioTestHook }).__studio.snapshot().compare;
    return ['gradient', 'lrp'].every((id) => c.methods[id]?.status === 'done' && c.methods[id].target === 3);
  }, null, { timeout: 90_000 });
});

test('switching the backend recomputes the cheap maps on it, with the same values', async ({ studio }) => {
  const { page } = studio;
  await openDigit(studio, 'digit-6-0.png');
  await page.getByTestId('compare-toggle').click();
  const before = await waitForCompare(page, CHEAP);
  const active = (await studio.snapshot()).backend;
  const other = active === 'cpu' ? 'wasm' : 'cpu';
  await page.getByTestId('backend-select').selectOption(other);
  await page.waitForFunction(({ ids, other }) => {
    const c = (window as unknown as { __studio: StudioTestHook }).__studio.snapshot().compare;
    return ids.every((id) => c.methods[id]?.status === 'done' && c.methods[id].backend === other);
  }, { ids: CHEAP, other }, { timeout: 90_000 });
  const after = (await studio.snapshot()).compare;
  for (const id of CHEAP) {
    // Same maths on another backend: float32 kernels agree to 1e-3 of the map's range.
    const range = Math.max(Math.abs(before.methods[id].min!), Math.abs(before.methods[id].max!));
    expect(Math.abs(after.methods[id].max! - before.methods[id].max!)).toBeLessThan(1e-3 * range);
    expect(Math.abs(after.methods[id].min! - before.methods[id].min!)).toBeLessThan(1e-3 * range);
    await expect(page.getByTestId(`compare-status-${id}`)).toContainText(other === 'cpu' ? 'on CPU' : 'on WASM');
  }
});
