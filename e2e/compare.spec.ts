import { test, expect } from './studio';
import { formatValue } from '../src/ui/compare/format';
import { NORMALISATIONS } from '../src/store/compareSlice';

/** The cheap methods of the default grid; RDE, the sixth, is expensive and waits for Run. */
const CHEAP = ['gradient', 'smoothgrad', 'integrated-gradients', 'lrp', 'occlusion'];

test('opening the comparison runs the cheap methods one at a time, each map with its time and axiom check', async ({ studio, intake, compare }) => {
  const { page } = studio;
  await intake.showDigit('digit-3-0.png');
  // Nothing runs while the view is closed.
  expect((await compare.state()).methods).toEqual({});
  // Watch the store from inside the page while the view opens: how many compare runs are in the worker at once.
  const watched = compare.watchQueue(CHEAP);
  // Keyboard: the disclosure button opens the view.
  await page.getByRole('button', { name: 'Show methods side by side' }).press('Enter');
  await expect(compare.toggle).toHaveAttribute('aria-expanded', 'true');
  const order = await watched;
  expect(order).toEqual({ maxRunning: 1, sawQueued: true });
  const c = await compare.waitFor(CHEAP);
  const s = await studio.snapshot();
  expect(s.predicted).toBe(3);
  for (const id of CHEAP) {
    const m = c.methods[id];
    expect(m.target).toBe(3);
    expect(m.milliseconds).toBeGreaterThan(0);
    await expect(compare.status(id)).toHaveText(new RegExp(`^${Math.round(m.milliseconds!)} ms on `));
    await expect(compare.map(id)).toBeVisible();
  }
  // The comparison's runs are its own: the main panel's gradient run is still there, for the same class.
  expect(s.runs.gradient.status).toBe('done');
  expect(c.methods.gradient.max).toBeCloseTo(s.runs.gradient.max!, 5);

  // Integrated Gradients (64 middle-Riemann steps from zeros): completeness within 5% of Φ(x) − Φ(0).
  const ig = c.methods['integrated-gradients'].check!;
  expect(ig.axiom).toBe('completeness');
  expect(Math.abs(ig.sum - ig.expected)).toBeLessThan(0.05 * Math.abs(ig.expected));
  await expect(compare.check('integrated-gradients'))
    .toContainText(`completeness: Σ ${formatValue(ig.sum)} vs ${formatValue(ig.expected)}, gap ${formatValue(ig.sum - ig.expected)}`);
  // LRP (EpsilonGammaBox): the conservation numbers are shown; Σ R is the logit handed back less what biases absorb.
  const lrp = c.methods.lrp.check!;
  expect(lrp.axiom).toBe('conservation');
  expect(lrp.expected).toBeCloseTo(s.logits![3], 3);
  await expect(compare.check('lrp'))
    .toHaveText(new RegExp(`^conservation: Σ ${formatValue(lrp.sum)} vs ${formatValue(lrp.expected)}, gap ${formatValue(lrp.sum - lrp.expected)}`));
  // Methods without an axiom show none; RDE waits for its Run button.
  await expect(compare.check('gradient')).toHaveCount(0);
  expect(c.methods.rde).toBeUndefined();
  await expect(compare.status('rde')).toHaveText('Runs when you press Run.');
  await expect(compare.runButton('rde')).toBeEnabled();
});

test('a parameter edited in place recomputes that map only; a bad value is refused beside its field', async ({ intake, compare }) => {
  await intake.showDigit('digit-3-0.png');
  await compare.open();
  const before = await compare.waitFor(CHEAP, { param: { method: 'integrated-gradients', name: 'steps', value: 64 } });
  // The field is found by its label, as a screen reader would announce it.
  const steps = compare.card('integrated-gradients').getByRole('spinbutton', { name: 'steps' });
  await expect(steps).toHaveValue('64');
  await compare.setParam(steps, '8');
  const after = await compare.waitFor(CHEAP, { param: { method: 'integrated-gradients', name: 'steps', value: 8 } });
  const ig0 = before.methods['integrated-gradients'];
  const ig1 = after.methods['integrated-gradients'];
  // Same path ends, so the same Φ(x) − Φ(0); a coarser quadrature, so another sum and another map.
  expect(ig1.check!.expected).toBeCloseTo(ig0.check!.expected, 4);
  expect(ig1.check!.sum).not.toBeCloseTo(ig0.check!.sum, 4);
  expect(ig1.max).not.toBe(ig0.max);
  await expect(compare.check('integrated-gradients')).toContainText(`Σ ${formatValue(ig1.check!.sum)}`);
  // The other maps were not recomputed.
  expect(after.methods.gradient.milliseconds).toBe(before.methods.gradient.milliseconds);
  expect(after.methods.lrp.milliseconds).toBe(before.methods.lrp.milliseconds);

  for (const bad of ['0', '2.5', '5000']) {
    await compare.setParam(steps, bad);
    await expect(compare.paramProblem('integrated-gradients', 'steps')).toHaveText('steps must be a whole number from 1 to 4096.');
    await expect(steps).toHaveAttribute('aria-invalid', 'true');
  }
  await compare.setParam(compare.param('lrp', 'epsilon'), '0');
  await expect(compare.paramProblem('lrp', 'epsilon')).toHaveText('epsilon must be a number greater than 0 and at most 1e+6.');
  // Nothing ran for the refused values.
  const still = await compare.state();
  expect(still.methods['integrated-gradients'].params!.steps).toBe(8);
  expect(still.methods['integrated-gradients'].milliseconds).toBe(ig1.milliseconds);
  expect(still.methods.lrp.milliseconds).toBe(before.methods.lrp.milliseconds);
  // A good value clears the message.
  await compare.setParam(steps, '16');
  await expect(compare.paramProblem('integrated-gradients', 'steps')).toHaveCount(0);
  await compare.waitFor(CHEAP, { param: { method: 'integrated-gradients', name: 'steps', value: 16 } });
});

test('normalisation per map, shared or percentile-clipped, and the sign modes set the legends; kept as a screenshot', async ({ studio, intake, compare }, testInfo) => {
  const { page } = studio;
  await intake.showDigit('digit-3-0.png');
  await compare.open();
  const perMap = await compare.waitFor(CHEAP);
  // Per map: each legend is ±max |R| of its own map (one channel, so the raw range).
  for (const id of CHEAP) {
    const m = perMap.methods[id];
    expect(m.limit).toBeCloseTo(Math.max(Math.abs(m.min!), Math.abs(m.max!)), 6);
    await expect(compare.legendMax(id)).toHaveText(formatValue(m.limit!));
  }
  const largest = Math.max(...CHEAP.map((id) => perMap.methods[id].limit!));

  // Keyboard: arrow keys move through the radio group.
  await compare.normalisation('per-map').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: NORMALISATIONS.shared })).toBeChecked();
  await expect.poll(async () => (await compare.state()).normalisation).toBe('shared');
  // Shared within a unit (e2e/displayModes.spec.ts checks the groups): each legend shows the largest |R| of its unit's maps.
  const shared = await compare.state();
  for (const id of CHEAP) {
    const sameUnit = CHEAP.filter((o) => shared.methods[o].unit === shared.methods[id].unit);
    await expect(compare.legendMax(id)).toHaveText(formatValue(Math.max(...sameUnit.map((o) => perMap.methods[o].limit!))));
  }
  const smallest = CHEAP.reduce((a, id) => (perMap.methods[id].limit! < perMap.methods[a].limit! ? id : a));
  expect(formatValue(perMap.methods[smallest].limit!)).not.toBe(formatValue(largest));

  await compare.normalisation('percentile').check();
  await expect.poll(async () => (await compare.state()).normalisation).toBe('percentile');
  const clipped = await compare.state();
  for (const id of CHEAP) {
    expect(clipped.methods[id].limit!).toBeLessThanOrEqual(perMap.methods[id].limit! + 1e-9);
    await expect(compare.legendMax(id)).toHaveText(formatValue(clipped.methods[id].limit!));
  }
  // The gradient's 99th percentile of |R| lies well below its maximum (a few pixels dominate).
  expect(clipped.methods.gradient.limit!).toBeLessThan(0.9 * perMap.methods.gradient.limit!);

  await compare.normalisation('per-map').check();
  await compare.sign('negative').check();
  await expect.poll(async () => (await compare.state()).sign).toBe('negative');
  // Negative part only: blue at min R of each map to white at 0.
  for (const id of ['gradient', 'integrated-gradients']) {
    await expect(compare.legendMin(id)).toHaveText(formatValue(perMap.methods[id].min!));
    await expect(compare.legendMax(id)).toHaveText('0');
  }
  await compare.sign('positive').check();
  for (const id of ['gradient', 'integrated-gradients']) {
    await expect(compare.legendMax(id)).toHaveText(formatValue(perMap.methods[id].max!));
  }
  await compare.sign('absolute').check();
  const absolute = await compare.state();
  expect(absolute.sign).toBe('absolute');
  await expect(compare.legendMax('gradient')).toHaveText(formatValue(perMap.methods.gradient.limit!));
  await compare.sign('all').check();

  const shot = testInfo.outputPath('compare-view.png');
  await compare.panel.screenshot({ path: shot });
  await testInfo.attach('comparison view', { path: shot, contentType: 'image/png' });
});

test('expensive methods run only when asked, with progress and cancel; a new input clears them and recomputes the cheap maps', async ({ studio, intake, scores, compare }) => {
  const { page } = studio;
  await intake.showDigit('digit-3-0.png');
  await compare.open();
  await page.getByRole('checkbox', { name: 'KernelSHAP (on request)' }).check();
  await expect(compare.card('kernel-shap')).toBeVisible();
  const first = await compare.waitFor(CHEAP);
  expect(first.methods['kernel-shap']).toBeUndefined();
  expect(first.methods.rde).toBeUndefined();
  await expect(compare.status('kernel-shap')).toHaveText('Runs when you press Run.');

  // RDE (1500 iterations by default) yields to the worker's event loop every iteration, so a cancel stops it at once.
  await compare.runButton('rde').click();
  await expect(compare.progress('rde')).toBeVisible();
  await compare.waitForProgress('rde');
  await expect(compare.status('rde')).toHaveText('Computing…');
  await expect(compare.percent('rde')).toHaveText(/^\d+%$/);
  await compare.cancelButton('rde').click();
  await expect(compare.status('rde')).toHaveText('Cancelled.');
  const rde = (await compare.state()).methods.rde;
  expect(rde.status).toBe('cancelled');
  expect(rde.progress).toBeGreaterThan(0);
  expect(rde.progress).toBeLessThan(1);
  await expect(compare.progress('rde')).toHaveCount(0);
  await expect(compare.runButton('rde')).toBeEnabled();

  // KernelSHAP on 16 players (7 x 7 patches), 1000 coalitions in batches of 128: progress in steps, then efficiency holds
  // exactly (it is a constraint of the regression).
  await compare.showParams('kernel-shap');
  await compare.setParam(compare.param('kernel-shap', 'patch'), '7');
  const watched = compare.watchProgress('kernel-shap');
  await compare.runButton('kernel-shap').click();
  const { progress, status } = await watched;
  expect(status).toBe('done');
  expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
  const shap = (await compare.waitFor(['kernel-shap'])).methods['kernel-shap'];
  expect(shap.params).toMatchObject({ samples: 1000, patch: 7 });
  expect(Math.abs(shap.check!.sum - shap.check!.expected)).toBeLessThan(1e-3 * Math.abs(shap.check!.expected));
  await expect(compare.check('kernel-shap')).toContainText('efficiency: Σ');
  await expect(compare.map('kernel-shap')).toBeVisible();

  // Another input: the cheap maps are recomputed for it, the expensive ones are cleared until asked for.
  await intake.showDigit('digit-8-0.png');
  const next = await compare.waitFor(CHEAP);
  expect(next.methods['kernel-shap']).toBeUndefined();
  expect(next.methods.rde).toBeUndefined();
  await expect(compare.map('kernel-shap')).toHaveCount(0);
  for (const id of CHEAP) expect(next.methods[id].target).toBe(8);
  expect(next.methods['integrated-gradients'].check!.expected).not.toBeCloseTo(first.methods['integrated-gradients'].check!.expected, 1);
  // The edited parameters stay with the method.
  await expect(compare.param('kernel-shap', 'patch')).toHaveValue('7');

  // Another class to explain: the grid follows it.
  await scores.explainClass('3', 3);
  await compare.waitFor(['gradient', 'lrp'], { target: 3 });
});

test('switching the backend recomputes the cheap maps on it, with the same values', async ({ studio, intake, rde, header, compare }) => {
  await intake.showDigit('digit-6-0.png');
  // The RDE panel's own run (redone after the switch) cut to 1 iteration: the worker's time goes to the grid.
  await rde.setIterations(1);
  await compare.open();
  const before = await compare.waitFor(CHEAP);
  const active = (await studio.snapshot()).backend;
  const other = active === 'cpu' ? 'wasm' : 'cpu';
  await header.selectBackend(other);
  const after = await compare.waitFor(CHEAP, { backend: other });
  for (const id of CHEAP) {
    // Same maths on another backend: float32 kernels agree to 1e-3 of the map's range.
    const range = Math.max(Math.abs(before.methods[id].min!), Math.abs(before.methods[id].max!));
    expect(Math.abs(after.methods[id].max! - before.methods[id].max!)).toBeLessThan(1e-3 * range);
    expect(Math.abs(after.methods[id].min! - before.methods[id].min!)).toBeLessThan(1e-3 * range);
    await expect(compare.status(id)).toContainText(other === 'cpu' ? 'on CPU' : 'on WASM');
  }
});
