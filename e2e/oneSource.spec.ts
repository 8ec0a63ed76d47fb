// One source of truth (issue 10): what the RDE panel shows is what it optimises, the comparison
// card's RDE is the panel's, a sweep leaves the panel consistent, a link reproduces the mask,
// and what a link gets wrong stays on screen. Few iterations keep each run short.
import { test, expect, type StudioPage } from './studio';

test.use({ startAt: null });

/** F = D + (rate term) from the read-out's own numbers, by the rate term the run used. */
async function readout(studio: StudioPage) {
  const el = studio.page.getByTestId('rde-readout');
  const num = async (name: string) => Number(await el.getAttribute(`data-${name}`));
  return {
    D: await num('distortion'), rate: await num('rate'), F: await num('objective'), lambda: await num('lambda'),
    phi: await num('phi'), d: await num('d'), term: await el.getAttribute('data-rate-term'), text: await el.innerText(),
  };
}

test('the formula and F shown are the objective optimised, for each rate term; the card and the link follow the choice', async ({ studio, compare }) => {
  await studio.open('/?digit=digit-7-0.png&lambda=0.5&iterations=40');
  await studio.waitForRde();
  const formula = studio.page.getByTestId('rde-formula');
  await expect(formula).toContainText('F(s) = D(s) + λ·Φ(x)²·‖s‖₁/d');
  // The optimiser's F in float32 against D + λΦ(x)²·rate from the shown parts: float32 sums of
  // values of this size round at ~1e-7 relative; 1e-5 is far below what a wrong term moves (×d).
  const ref = await readout(studio);
  expect(ref.term).toBe('reference');
  expect(ref.d).toBe(784);
  expect(Math.abs(ref.F - (ref.D + ref.lambda * ref.phi ** 2 * ref.rate)) / ref.F).toBeLessThan(1e-5);
  expect(ref.text).toContain('F = D + λ·Φ(x)²·‖s‖₁/d');

  await studio.page.getByTestId('rde-regulariser').selectOption('paper');
  await expect(formula).toContainText('F(s) = D(s) + λ·‖s‖₁,');
  await studio.hook.waitFor((s) => s.rde.status === 'done' && s.rde.points === 2, undefined, { timeout: 60_000 });
  const paper = await readout(studio);
  expect(paper.term).toBe('paper');
  expect(Math.abs(paper.F - (paper.D + paper.lambda * paper.rate * paper.d)) / paper.F).toBeLessThan(1e-5);
  expect(studio.page.url()).toContain('regulariser=paper');

  await studio.page.getByTestId('rde-regulariser').selectOption('mean');
  await studio.hook.waitFor((s) => s.rde.status === 'done' && s.rde.points === 3, undefined, { timeout: 60_000 });
  const mean = await readout(studio);
  expect(Math.abs(mean.F - (mean.D + mean.lambda * mean.rate)) / mean.F).toBeLessThan(1e-5);

  // The comparison card offers the same choice, labelled as in the panel, and shows its formula.
  await compare.open();
  await compare.showParams('rde');
  const field = compare.param('rde', 'regulariser');
  await expect(field.locator('option')).toHaveText(['λ·Φ(x)²·‖s‖₁/d (reference code)', 'λ·‖s‖₁/d (mean of s)', 'λ·‖s‖₁ (paper)']);
  await expect(studio.page.getByTestId('compare-formula-rde')).toContainText('D(s) + λ·Φ(x)²·‖s‖₁/d');
  await field.selectOption('paper');
  await expect(studio.page.getByTestId('compare-formula-rde')).toContainText('D(s) + λ·‖s‖₁,');
});

test('the comparison card takes the panel\'s finished RDE when the parameters match, runs its own when not, and estimates the time first', async ({ studio, rde, compare }) => {
  await studio.open('/?digit=digit-2-0.png&iterations=40');
  const panel = await studio.waitForRde();
  await compare.open();
  // Expensive methods say how long a run will take before it starts; RDE, which stops once F
  // settles, what the last run here took (scaled) and its upper bound.
  const estimate = /^A run takes ≈ [\d.]+ (ms|s|min)( \(at most [\d.]+ (ms|s|min)\))? here\.$/;
  await expect(studio.page.getByTestId('compare-estimate-rde')).toHaveText(estimate);
  await expect(studio.page.getByTestId('rde-estimate')).toHaveText(estimate);
  // The card's defaults are RDE's; only the iterations differ from the panel, so set them alike.
  await compare.showParams('rde');
  await compare.setParam(compare.param('rde', 'iterations'), '40');
  await compare.runButton('rde').click();
  const reused = (await compare.waitFor(['rde'])).methods.rde;
  expect(reused.reusedFrom).toBe('the RDE panel');
  expect(reused.checksum).toBe(panel.rde.maskChecksum);
  await expect(compare.status('rde')).toContainText('From the RDE panel');
  // Other parameters: the card computes its own mask.
  await compare.setParam(compare.param('rde', 'lambda'), '2');
  await compare.runButton('rde').click();
  const own = (await compare.waitFor(['rde'], { param: { method: 'rde', name: 'lambda', value: 2 } })).methods.rde;
  expect(own.reusedFrom).toBeNull();
  expect(own.checksum).not.toBe(panel.rde.maskChecksum);
  // Run from s₀ with the same seed, the card's mask at λ = 2 is the panel's at λ = 2.
  await rde.setLambda(2);
  const panel2 = await rde.waitForRun({ lambda: 2 });
  expect(panel2.rde.maskChecksum).toBe(own.checksum);
});

test('after a sweep the panel shows the run of the λ in its field; the same settings give the same mask, also from a copied link', async ({ studio, rde, page }) => {
  await studio.open('/?digit=digit-5-0.png&lambda=0.5&iterations=15');
  const first = await studio.waitForRde();
  await rde.setLambda(3);
  await rde.waitForRun({ lambda: 3 });
  await rde.setLambda(0.5);
  const again = await rde.waitForRun({ lambda: 0.5 });
  // Every run starts from s₀: no warm start from the λ = 3 run.
  expect(again.rde.maskChecksum).toBe(first.rde.maskChecksum);
  expect(again.rde.distortion).toBe(first.rde.distortion);
  await rde.sweep();
  const swept = await studio.hook.waitFor((s) => s.rde.frontierPoints === 10 && s.rde.status === 'done', undefined, { timeout: 100_000 });
  await expect(rde.lambda).toHaveValue('0.5');
  expect(swept.rde.settings.lambda).toBe(0.5);
  expect(swept.rde.maskChecksum).toBe(first.rde.maskChecksum);
  expect(swept.rde.distortion).toBe(first.rde.distortion);
  expect((await readout(studio)).lambda).toBe(0.5);
  // The link of this view, opened afresh, gives the same mask.
  const link = page.url();
  await studio.open(link);
  const reopened = await studio.waitForRde();
  expect(reopened.rde.maskChecksum).toBe(first.rde.maskChecksum);
});

test('what a link gets wrong stays on screen while its digit opens; λ keys step a tenth of a decade and a decade; help texts open', async ({ studio, rde, page }) => {
  await studio.open('/?digit=digit-1-0.png&lambda=abc&iterations=20');
  await studio.waitForRde();
  const alert = page.getByTestId('message-error');
  await expect(alert).toContainText('Ignored in the link: lambda=abc (must be a number from 0 to 10000)');
  // Still there once the digit is classified and explained (it vanished after ~250 ms before).
  await page.waitForTimeout(500);
  await expect(alert).toContainText('lambda=abc');

  await rde.lambdaSlider.focus();
  await page.keyboard.press('PageUp');
  await expect(rde.lambda).toHaveValue('5');
  await page.keyboard.press('ArrowRight');
  await expect(rde.lambda).toHaveValue('6.31');
  await page.keyboard.press('PageDown');
  await expect(rde.lambda).toHaveValue('0.631');

  for (const [name, words] of [['rank', 'principal components'], ['mode', 'assumed density filtering'], ['s0', 'starts from'], ['plateau', 'Stop once F']] as const) {
    await page.getByTestId(`rde-help-${name}`).click();
    await expect(page.getByTestId(`rde-help-text-${name}`)).toContainText(words);
  }
});
