import { readFileSync } from 'node:fs';
import { test, expect, dropFile, pasteFile } from './studio';

const digits = JSON.parse(readFileSync('public/digits/index.json', 'utf8')) as Array<{ file: string; label: number }>;

test('every bundled held-out digit is classified as its label, with a gradient map', async ({ studio }) => {
  const { page } = studio;
  const wrong: string[] = [];
  for (const d of digits) {
    await page.getByTestId(`digit-${d.file}`).click();
    const s = await studio.waitForMap(`Test digit ${d.label} (${d.file})`);
    if (s.predicted !== d.label) wrong.push(`${d.file}: predicted ${s.predicted}`);
    expect(s.runs.gradient.length).toBe(784);
    expect(s.runs.gradient.target).toBe(s.predicted);
  }
  expect(wrong).toEqual([]);
  await expect(page.getByTestId('predicted-class')).toHaveText(String(digits[digits.length - 1].label));
});

test('a dropped digit file is preprocessed, classified and explained; the main view is kept as a screenshot', async ({ studio }, testInfo) => {
  const { page } = studio;
  await dropFile(page, 'seven.png', 'image/png', readFileSync('public/digits/digit-7-0.png'));
  const s = await studio.waitForMap('seven.png');
  expect(s.predicted).toBe(7);
  expect(s.modelInput).toHaveLength(784);
  // The preprocessed input is MNIST-like: ink in [0,1], background 0 in the corners.
  expect(Math.max(...s.modelInput!)).toBeGreaterThan(0.9);
  expect(s.modelInput![0]).toBe(0);
  expect(s.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  await expect(page.getByTestId('scores').locator('tbody tr')).toHaveCount(10);
  await expect(page.getByTestId('heatmap')).toBeVisible();
  await expect(page.getByTestId('overlay')).toBeVisible();
  await expect(page.getByTestId('legend')).toBeVisible();
  // The legend shows the symmetric range ±max|R| of this map.
  const limit = Math.max(Math.abs(s.runs.gradient.min!), Math.abs(s.runs.gradient.max!));
  await expect(page.getByTestId('legend-max')).toHaveText(limit.toPrecision(3));
  await expect(page.getByTestId('legend-min')).toHaveText((-limit).toPrecision(3));
  const shot = testInfo.outputPath('main-view.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('main view', { path: shot, contentType: 'image/png' });
});

test('a file chosen with the file dialog is classified', async ({ studio }) => {
  const { page } = studio;
  await page.getByTestId('file-input').setInputFiles({ name: 'two.png', mimeType: 'image/png', buffer: readFileSync('public/digits/digit-2-1.png') });
  const s = await studio.waitForMap('two.png');
  expect(s.predicted).toBe(2);
});

test('a pasted image is classified', async ({ studio }) => {
  const { page } = studio;
  await pasteFile(page, 'image.png', 'image/png', readFileSync('public/digits/digit-4-0.png'));
  const s = await studio.waitForMap('Pasted image');
  expect(s.predicted).toBe(4);
});

test('a digit drawn with the mouse is classified: a vertical stroke is a 1', async ({ studio }) => {
  const { page } = studio;
  const box = (await page.getByTestId('drawpad').boundingBox())!;
  const x = box.x + box.width * 0.5;
  await page.mouse.move(x, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= 20; k++) await page.mouse.move(x + k * 0.3, box.y + box.height * (0.15 + 0.035 * k));
  await page.mouse.up();
  const s = await studio.waitForMap('Drawing');
  expect(s.predicted).toBe(1);
  await expect(page.getByTestId('heatmap')).toBeVisible();
});

test('choosing another class to explain recomputes the map for that class', async ({ studio }) => {
  const { page } = studio;
  await page.getByTestId('digit-digit-8-0.png').click();
  const before = await studio.waitForMap();
  await page.getByRole('radio', { name: 'Explain class 3' }).check();
  await page.waitForFunction(() => {
    const s = (window as unknown as { __studio: { snapshot(): { runs: Record<string, { status: string; target: number }> } } }).__studio.snapshot();
    return s.runs.gradient?.status === 'done' && s.runs.gradient.target === 3;
  });
  const after = await studio.snapshot();
  expect(after.predicted).toBe(before.predicted);
  expect(after.runs.gradient.max).not.toBe(before.runs.gradient.max);
  await expect(page.getByTestId('relevance-caption')).toContainText('Class 3');
});

test('the worker holds no more tensors after many inputs than after one', async ({ studio }) => {
  const { page } = studio;
  await page.getByTestId('digit-digit-0-0.png').click();
  await studio.waitForMap('Test digit 0 (digit-0-0.png)');
  await studio.waitForRde();
  const first = await studio.tensorCount();
  for (const file of ['digit-1-0.png', 'digit-5-1.png', 'digit-9-0.png']) {
    await page.getByTestId(`digit-${file}`).click();
    await studio.waitForMap(`Test digit ${file[6]} (${file})`);
  }
  // Each new input cancels the RDE run of the previous one and starts its own.
  await studio.waitForRde();
  expect(await studio.tensorCount()).toBe(first);
});
