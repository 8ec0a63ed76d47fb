import { readFileSync } from 'node:fs';
import { test, expect } from './studio';

const digits = JSON.parse(readFileSync('public/digits/index.json', 'utf8')) as Array<{ file: string; label: number }>;

test('every bundled held-out digit is classified as its label, with a gradient map', async ({ intake, scores }) => {
  const wrong: string[] = [];
  for (const d of digits) {
    const s = await intake.showDigit(d.file);
    if (s.predicted !== d.label) wrong.push(`${d.file}: predicted ${s.predicted}`);
    expect(s.runs.gradient.length).toBe(784);
    expect(s.runs.gradient.target).toBe(s.predicted);
  }
  expect(wrong).toEqual([]);
  await expect(scores.predicted).toHaveText(String(digits[digits.length - 1].label));
});

test('a dropped digit file is preprocessed, classified and explained; the main view is kept as a screenshot', async ({ studio, intake, scores, relevance }, testInfo) => {
  await intake.drop('seven.png', 'image/png', readFileSync('public/digits/digit-7-0.png'));
  const s = await studio.waitForMap('seven.png');
  expect(s.predicted).toBe(7);
  expect(s.modelInput).toHaveLength(784);
  // The preprocessed input is MNIST-like: ink in [0,1], background 0 in the corners.
  expect(Math.max(...s.modelInput!)).toBeGreaterThan(0.9);
  expect(s.modelInput![0]).toBe(0);
  expect(s.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  await expect(scores.rows).toHaveCount(10);
  await expect(relevance.heatmap).toBeVisible();
  await expect(relevance.overlay).toBeVisible();
  await expect(relevance.legend).toBeVisible();
  // The legend shows the symmetric range ±max|R| of this map.
  const limit = Math.max(Math.abs(s.runs.gradient.min!), Math.abs(s.runs.gradient.max!));
  await expect(relevance.legendMax).toHaveText(limit.toPrecision(3));
  await expect(relevance.legendMin).toHaveText((-limit).toPrecision(3));
  const shot = testInfo.outputPath('main-view.png');
  await studio.page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('main view', { path: shot, contentType: 'image/png' });
});

test('a file chosen with the file dialog is classified', async ({ studio, intake }) => {
  await intake.choose('two.png', 'image/png', readFileSync('public/digits/digit-2-1.png'));
  const s = await studio.waitForMap('two.png');
  expect(s.predicted).toBe(2);
});

test('a pasted image is classified', async ({ studio, intake }) => {
  await intake.paste('image.png', 'image/png', readFileSync('public/digits/digit-4-0.png'));
  const s = await studio.waitForMap('Pasted image');
  expect(s.predicted).toBe(4);
});

test('a digit drawn with the mouse is classified: a vertical stroke is a 1', async ({ studio, intake, relevance }) => {
  // From 15% to 85% of the pad's height, drifting 6 px to the right, in 20 moves.
  await intake.drawStroke((w, h) => Array.from({ length: 21 }, (_, k) => [w * 0.5 + k * 0.3, h * (0.15 + 0.035 * k)]));
  const s = await studio.waitForMap('Drawing');
  expect(s.predicted).toBe(1);
  await expect(relevance.heatmap).toBeVisible();
});

test('choosing another class to explain recomputes the map for that class', async ({ intake, scores, relevance }) => {
  const before = await intake.showDigit('digit-8-0.png');
  const after = await scores.explainClass('3', 3);
  expect(after.predicted).toBe(before.predicted);
  expect(after.runs.gradient.max).not.toBe(before.runs.gradient.max);
  await expect(relevance.caption).toContainText('Class 3');
});

test('the worker holds no more tensors after many inputs than after one', async ({ studio, intake, rde }) => {
  await intake.showDigit('digit-0-0.png');
  // Short RDE runs (20 iterations): what the worker holds at rest does not depend on their length.
  await rde.setIterations(20);
  await studio.waitForRde();
  const first = await studio.tensorCount();
  for (const file of ['digit-1-0.png', 'digit-5-1.png', 'digit-9-0.png']) await intake.showDigit(file);
  // Each new input cancels the RDE run of the previous one and starts its own.
  await studio.waitForRde();
  expect(await studio.tensorCount()).toBe(first);
});
