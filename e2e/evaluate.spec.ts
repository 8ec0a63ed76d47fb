import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './studio';
import { EvaluateView } from './evaluateView';

/** Two cheap methods in the grid (and the random baseline the view adds): a run of tiny settings takes about a second. */
const GRID = ['gradient', 'lrp'];

test('the evaluate view: a curve with its band per method, the AUC table best first, bad settings refused, cancel frees every tensor', async ({ studio, intake, compare }) => {
  const { page } = studio;
  const view = new EvaluateView(page, studio.hook);
  await intake.showDigit('digit-3-0.png');
  await compare.open();
  for (const id of ['smoothgrad', 'integrated-gradients', 'occlusion', 'rde']) await compare.card(id).waitFor();
  for (const id of ['smoothgrad', 'integrated-gradients', 'occlusion', 'rde']) await page.getByTestId(`compare-pick-${id}`).uncheck();
  await compare.waitFor(GRID);
  // Keyboard: the button under the grid's controls opens the view.
  await view.openButton.focus();
  await page.keyboard.press('Enter');
  await expect(view.panel).toBeVisible();
  await expect(view.openButton).toHaveAttribute('aria-expanded', 'true');

  // Bad values are refused beside their field, in the words of the schema (the CLI's too).
  await view.set('Fillings N', '0');
  await expect(view.fieldProblem('samples')).toHaveText('Fillings N must be a whole number from 1 to 4096.');
  await view.set('Largest rate', '1.5');
  await expect(view.fieldProblem('maxRate')).toHaveText('Largest rate must be a number greater than 0 and at most 1.');
  await view.set('Step g', '1000');
  await expect(view.problem).toHaveText('The step g = 1000 is larger than the input\'s 784 components.');
  await expect(view.runButton).toBeDisabled();

  // Tiny settings: N = 16 fillings, rates up to 10 % (k = 0, 5, …, 75 and ⌈0.1 · 784⌉ = 79: 17 points).
  await view.set('Step g', '5');
  await view.set('Fillings N', '16');
  await view.set('Largest rate', '0.1');
  await expect(view.fieldProblem('samples')).toHaveCount(0);
  await expect(view.fieldProblem('maxRate')).toHaveCount(0);
  await expect(view.problem).toHaveCount(0);
  // The cost is stated before the run: 3 curves × 17 points × 16 fillings.
  await expect(view.estimate).toContainText('3 curves × 272 forward passes');
  await expect(view.estimate).toContainText(/a run takes .*≈ [\d.]+ (ms|s) here/);
  // Nothing else in flight (the RDE panel's own run holds tensors while it goes): the worker's tensors at rest.
  await studio.waitForRde();
  const tensorsBefore = await studio.tensorCount();

  await view.runButton.click();
  const done = await view.waitForEnd();
  expect(done.status).toBe('done');
  expect(done.methods).toEqual([...GRID, 'random']);
  expect(done.settings).toMatchObject({ protocol: 'studio', samples: 16, step: 5, maxRate: 0.1 });
  expect(done.passesPerCurve).toBe(272);
  for (const id of done.methods) {
    const c = done.curves[id];
    expect(c.status).toBe('done');
    expect(c.rates).toHaveLength(17);
    expect(c.rates[16]).toBeCloseTo(79 / 784, 12);
    expect(c.stderr.every((e) => e >= 0 && Number.isFinite(e))).toBe(true);
    // One line and one band per method, drawn through every point.
    await expect(page.getByTestId(`evaluate-line-${id}`)).toHaveAttribute('d', /^M[^M]*$/);
    expect((await page.getByTestId(`evaluate-line-${id}`).getAttribute('d'))!.split('L')).toHaveLength(17);
    await expect(page.getByTestId(`evaluate-band-${id}`)).toHaveAttribute('d', /Z$/);
  }
  // The grid's finished maps were used; the random map was computed by the evaluation.
  expect(done.curves.gradient.map).toBe('grid');
  expect(done.curves.lrp.map).toBe('grid');
  expect(done.curves.random.map).toBe('computed');
  // Every map meets the same fillings: with nothing kept (k = 0) the curves coincide (float32 sums of the same values).
  for (const id of done.methods) expect(done.curves[id].distortion[0]).toBeCloseTo(done.curves.gradient.distortion[0], 9);
  // The table ranks by the area over the measured range, lowest first, one row per method.
  const areas = done.ranking.map((id) => done.curves[id].auc!.all);
  expect([...areas].sort((a, b) => a - b)).toEqual(areas);
  await expect(view.table.locator('tbody tr')).toHaveCount(3);
  for (const [k, id] of done.ranking.entries()) {
    await expect(view.table.locator('tbody tr').nth(k)).toHaveAttribute('data-testid', `evaluate-row-${id}`);
  }
  await expect(view.table.locator('caption')).toContainText('lower is better');
  // Each area with its standard error over the 16 fillings.
  await expect(page.getByTestId('evaluate-auc-gradient')).toHaveText(/^[\d.e−-]+ ± [\d.e−-]+$/);
  await expect(page.getByTestId('evaluate-legend').locator('li')).toHaveCount(4);

  // The sanity strip: gradient's map on the trained model, then with 1, 2, … weight layers re-drawn from the top.
  await expect(page.getByTestId('sanity-method')).toHaveValue('gradient');
  await page.getByTestId('sanity-run').click();
  const sane = (await studio.hook.waitFor((s) => s.evaluate.sanity.status !== 'running', undefined, { timeout: 20_000, polling: 100 })).evaluate.sanity;
  expect(sane.status, sane.error ?? '').toBe('done');
  expect(sane.total).toBeGreaterThanOrEqual(2);
  expect(sane.maps).toHaveLength(sane.total + 1);
  expect(sane.maps.slice(1).map((m) => m.randomised.length)).toEqual(Array.from({ length: sane.total }, (_, k) => k + 1));
  await expect(page.getByTestId('sanity-strip').locator('canvas')).toHaveCount(sane.total + 1);
  // As published (and asserted in core/evaluate/sanity.test.ts): gradient's |R| decorrelates once the model is destroyed.
  const steps = sane.maps.slice(1);
  expect(steps.reduce((sum, m) => sum + m.spearmanAbs, 0) / steps.length).toBeLessThan(0.5);
  expect(steps[steps.length - 1].spearmanAbs).toBeLessThan(0.5);
  expect(sane.verdict?.passes).toBe(true);
  await expect(page.getByTestId('sanity-verdict')).toHaveText(`Passes: ${sane.verdict!.reason}`);

  // Accessibility of the whole view with its plot, table and strip (WCAG 2.1 A and AA rules of axe-core).
  const axe = await new AxeBuilder({ page }).include('#evaluate-view').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

  // Cancel: a long run (N = 512, the whole curve) is stopped after its first batches; every tensor it held is freed.
  await view.set('Fillings N', '512');
  await view.set('Largest rate', '1');
  await view.runButton.click();
  await studio.hook.waitFor((s) => s.evaluate.status === 'running' && s.evaluate.progress > 0, undefined, { timeout: 20_000, polling: 50 });
  await view.cancelButton.click();
  const cancelled = await view.waitForEnd();
  expect(cancelled.status, cancelled.error ?? '').toBe('cancelled');
  expect(cancelled.progress).toBeLessThan(0.5);
  expect(Object.values(cancelled.curves).some((c) => c.status === 'cancelled')).toBe(true);
  await expect(page.getByTestId('evaluate-status')).toHaveText('Cancelled; the points measured so far stay.');
  expect(await studio.tensorCount()).toBe(tensorsBefore);
});

const modelJson = readFileSync('public/models/mnist/model.json');
const weights = readFileSync('public/models/mnist/weights.bin');

test('a user model without a reference distribution: the studio protocol is refused with its reason, the paper protocol runs', async ({ studio, intake, compare, header }) => {
  const { page } = studio;
  const view = new EvaluateView(page, studio.hook);
  await intake.showDigit('digit-5-0.png');
  await header.loadModel([
    { name: 'model.json', mimeType: 'application/json', buffer: modelJson },
    { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights },
  ]);
  await studio.waitForMap('Test digit 5 (digit-5-0.png)');
  await compare.open();
  for (const id of ['smoothgrad', 'integrated-gradients', 'lrp', 'occlusion']) await page.getByTestId(`compare-pick-${id}`).uncheck();
  await compare.waitFor(['gradient']);
  await view.openButton.click();
  await expect(view.problem).toContainText('has no reference distribution V, which the studio protocol draws its noise from; use the paper protocol (uniform noise), or add a reference.json beside the model.');
  await expect(view.runButton).toBeDisabled();
  await view.set('Protocol', 'paper');
  await view.set('Fillings N', '16');
  await view.set('Largest rate', '0.05');
  await expect(view.problem).toHaveCount(0);
  await view.runButton.click();
  const done = await view.waitForEnd();
  expect(done.status).toBe('done');
  expect(done.settings).toMatchObject({ protocol: 'paper' });
  // Paper protocol: (p(y) − p(x))², a squared gap of probabilities, at most 1.
  for (const id of done.methods) expect(Math.max(...done.curves[id].distortion)).toBeLessThanOrEqual(1);
  await expect(view.panel.locator('.axis-label').nth(1)).toHaveText('D = (p(y) − p(x))² (probability²)');
});
