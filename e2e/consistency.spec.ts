// Issue 10's visible contradictions, one page per test: the first load, the model's input as
// the model reads it, the RDE plots, a backend switch, a user image across reloads, and an
// image given before the model has loaded.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, dropFile, type StudioHook } from './studio';

const OPENING = 'Test digit 3 (digit-3-1.png)';

/** Every tick label and axis title of a plot as boxes; no label may overlap a title. */
async function overlapsInPlot(page: Page, testId: string): Promise<{ ticks: string[]; titles: string[]; overlaps: string[] }> {
  return page.getByTestId(testId).evaluate((figure) => {
    const box = (e: Element) => e.getBoundingClientRect();
    const ticks = Array.from(figure.querySelectorAll('svg .axis .tick text'));
    const titles = Array.from(figure.querySelectorAll('svg .axis-label'));
    const overlaps: string[] = [];
    for (const t of ticks) for (const a of titles) {
      const p = box(t);
      const q = box(a);
      if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) overlaps.push(`${t.textContent} over ${a.textContent}`);
    }
    return { ticks: ticks.map((t) => t.textContent ?? ''), titles: titles.map((t) => t.textContent ?? ''), overlaps };
  });
}

/** The y tick labels of one axis of a plot (the left axis is the first, the right the last). */
function axisTicks(page: Page, testId: string, which: 'first' | 'last'): Promise<string[]> {
  return page.getByTestId(testId).evaluate((figure, w) => {
    const axes = Array.from(figure.querySelectorAll('svg .axis'));
    const axis = w === 'first' ? axes[1] : axes[axes.length - 1];
    return Array.from(axis.querySelectorAll('.tick text')).map((t) => t.textContent ?? '');
  }, which);
}

async function waitReady(hook: StudioHook, backend: string): Promise<void> {
  await hook.waitFor((s, b) => s.backend === b && s.backendStatus === 'ready' && s.runs.gradient?.status === 'done' && s.rde.status === 'done',
    backend, { timeout: 90_000 });
}

test('the first load explains a bundled digit; the model input, the RDE plots and a backend switch agree with what they say', async ({ studio }) => {
  test.setTimeout(150_000);
  const { page } = studio;
  await page.setViewportSize({ width: 1280, height: 720 });
  // The opening digit, explained, without the user doing anything; its link names it.
  const s = await studio.waitForMap(OPENING);
  expect(s.predicted).toBe(3);
  await page.screenshot({ path: test.info().outputPath('first-load-1280x720.png') });
  // Stopped before its first point, the plane is a plot without data: no ticks, only its titles.
  await page.getByTestId('rde-cancel').click();
  await expect(page.getByTestId('rde-status')).toHaveText('Cancelled');
  expect((await studio.snapshot()).rde.points).toBe(0);
  const empty = await overlapsInPlot(page, 'rde-plane');
  expect(empty).toEqual({ ticks: [], titles: ['rate ‖s‖₁ / d', 'D by Monte Carlo (logit²)'], overlaps: [] });
  expect(new URL(page.url()).searchParams.get('digit')).toBe('digit-3-1.png');

  // The 28 x 28 input is drawn as the model reads it (0 black, 1 white), pixel for pixel, and the caption says so.
  const drawn = await page.getByTestId('model-input').evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    return Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data);
  });
  const expected = s.modelInput!.map((v) => Math.round(255 * Math.min(1, Math.max(0, v))));
  expect(drawn.filter((_, i) => i % 4 === 0)).toEqual(expected);
  expect(drawn.slice(0, 3)).toEqual([0, 0, 0]);
  await expect(page.getByTestId('model-input-caption')).toHaveText('28 x 28 as the model reads it: 0 black to 1 white · given light-on-dark, kept');
  await expect(page.getByTestId('scores-backend')).toHaveText('Scores computed on WASM');

  // A short run (20 iterations) gives the plots data: D and F on a log axis (decades or 1-2-5
  // steps), a legend for the point's colour, and no tick label over an axis title.
  await page.getByTestId('rde-iterations').fill('20');
  await page.getByTestId('rde-iterations').press('Enter');
  await page.getByTestId('rde-iterations').blur();
  await waitReady(studio.hook, 'wasm');
  const left = await axisTicks(page, 'rde-trace', 'first');
  expect(left.length).toBeGreaterThanOrEqual(2);
  for (const t of left) expect([1, 2, 5]).toContain(Math.round(Number(t) / 10 ** Math.floor(Math.log10(Number(t)) + 1e-9)));
  for (const plot of ['rde-trace', 'rde-plane']) expect((await overlapsInPlot(page, plot)).overlaps).toEqual([]);
  await expect(page.getByTestId('rd-legend')).toHaveText('Diagonal ADF');
  await page.getByTestId('panel-rde').screenshot({ path: test.info().outputPath('rde-panel-1280x720.png') });

  // An expensive comparison map (RDE, 20 iterations) computed on WASM.
  await page.getByTestId('compare-toggle').press('Enter');
  for (const id of ['gradient', 'smoothgrad', 'integrated-gradients', 'lrp', 'occlusion']) await page.getByTestId(`compare-pick-${id}`).uncheck();
  await page.getByTestId('compare-params-rde').click();
  await page.getByTestId('compare-param-rde-iterations').fill('20');
  await page.getByTestId('compare-param-rde-iterations').press('Enter');
  await page.getByTestId('compare-run-rde').click();
  await studio.hook.waitFor((s) => s.compare.methods.rde?.status === 'done', undefined, { timeout: 60_000 });
  await waitReady(studio.hook, 'wasm');
  const onWasm = await studio.snapshot();
  expect(onWasm.compare.methods.rde.backend).toBe('wasm');

  // Switch to CPU: the scores, the map and the mask are computed there; the finished RDE
  // point and the expensive map are kept, labelled WASM, as the picker's description says.
  await expect(page.getByTestId('backend-rule')).toContainText('finished RDE points and expensive comparison maps are kept');
  await page.getByTestId('backend-select').selectOption('cpu');
  await waitReady(studio.hook, 'cpu');
  const onCpu = await studio.snapshot();
  await expect(page.getByTestId('scores-backend')).toHaveText('Scores computed on CPU');
  // The backends agree to ~1e-6 (backendMatrix.spec); 1e-4 of the largest logit is its bound.
  const scale = Math.max(...onWasm.logits!.map(Math.abs));
  onCpu.logits!.forEach((v, k) => expect(Math.abs(v - onWasm.logits![k])).toBeLessThan(1e-4 * scale));
  expect(onCpu.compare.methods.rde).toMatchObject({ status: 'done', backend: 'wasm', max: onWasm.compare.methods.rde.max });
  await expect(page.getByTestId('compare-status-rde')).toContainText('on WASM');
  expect(onCpu.rde.points).toBe(onWasm.rde.points + 1);
  await expect(page.getByTestId('rd-backends')).toContainText('Points computed on WASM and CPU');
  await page.getByTestId('rd-point').first().focus();
  await expect(page.getByTestId('rd-tooltip')).toContainText('on WASM');
});

test('a user image is kept across a reload (with a note and "Forget it"); the drawing pad clears when another image comes', async ({ studio }) => {
  const { page } = studio;
  await studio.waitForMap(OPENING);
  await expect(page.getByTestId('kept-image')).toHaveCount(0);
  // A drawing: classified and kept.
  const box = (await page.getByTestId('drawpad').boundingBox())!;
  const x = box.x + box.width * 0.5;
  await page.mouse.move(x, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= 20; k++) await page.mouse.move(x + k * 0.3, box.y + box.height * (0.15 + 0.035 * k));
  await page.mouse.up();
  await studio.waitForMap('Drawing');
  await expect(page.getByTestId('kept-image')).toContainText('Drawing is kept in this browser only');
  await expect(page.getByRole('button', { name: 'Clear drawing' })).toBeEnabled();

  // Another image: the pad is blank again (every pixel black) and that image is the one kept.
  await dropFile(page, 'my-seven.png', 'image/png', readFileSync('public/digits/digit-7-0.png'));
  const seven = await studio.waitForMap('my-seven.png');
  expect(seven.predicted).toBe(7);
  const inked = await page.getByTestId('drawpad').evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    return canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data.filter((v, i) => i % 4 !== 3 && v !== 0).length;
  });
  expect(inked).toBe(0);
  await expect(page.getByRole('button', { name: 'Clear drawing' })).toBeDisabled();
  await expect(page.getByTestId('kept-image')).toContainText('my-seven.png is kept');

  // A reload brings it back, the same pixels, and says so.
  await page.reload();
  const back = await studio.waitForMap('my-seven.png');
  expect(back.modelInput).toEqual(seven.modelInput);
  expect(back.message).toBeNull();
  await expect(page.getByTestId('kept-image')).toContainText('Restored from your last visit: my-seven.png.');
  expect(new URL(page.url()).searchParams.get('digit')).toBeNull();

  // Forgotten, it does not come back: the page opens with its bundled digit.
  await page.getByRole('button', { name: 'Forget it' }).click();
  await expect(page.getByTestId('kept-image')).toHaveCount(0);
  await page.reload();
  expect((await studio.waitForMap(OPENING)).predicted).toBe(3);
});

test('images given before the model has loaded wait for it (the latest is classified); without IndexedDB nothing is kept and nothing fails', async ({ studio }) => {
  const { page } = studio;
  // A private window: no IndexedDB. The model's weights arrive 2 s late.
  await page.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true }));
  await page.route('**/models/mnist/weights.bin', async (route) => {
    await new Promise((r) => setTimeout(r, 2000));
    await route.continue();
  });
  await page.goto('/');
  await expect(page.getByTestId('dropzone')).toBeVisible();
  await dropFile(page, 'my-two.png', 'image/png', readFileSync('public/digits/digit-2-0.png'));
  await dropFile(page, 'my-four.png', 'image/png', readFileSync('public/digits/digit-4-0.png'));
  expect((await studio.snapshot()).modelLoaded).toBe(false);
  await expect(page.getByRole('status').filter({ hasText: 'Waiting for the model to load…' })).toBeVisible();
  const s = await studio.waitForMap('my-four.png');
  expect(s.predicted).toBe(4);
  expect(s.message).toBeNull();
  await expect(page.getByTestId('kept-image')).toHaveCount(0);
  // Nothing was kept: the reloaded page opens with its bundled digit.
  await page.reload();
  expect((await studio.waitForMap(OPENING)).source).toBe(OPENING);
});
