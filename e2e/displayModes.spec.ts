// Display modes say what they draw (issue 10, item 4): a map's colour scale, legend and caption
// follow its sign mode and its unit; "shared" shares a colour range only among maps of one unit;
// the RDE mask is drawn on the same white → red 0…1 scale in its panel and in the grid.
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './studio';
import { formatValue } from '../src/ui/compare/format';

type Rgb = [number, number, number];

/** The colours of a legend's bar (its SVG gradient stops), as RGB. */
async function legendStops(legend: Locator): Promise<Rgb[]> {
  return legend.locator('stop').evaluateAll((stops) => stops.map((s) => {
    const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(s.getAttribute('stop-color') ?? '');
    return (m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN]) as [number, number, number];
  }));
}

/** Every pixel of a heatmap's canvas (its own 28 x 28 resolution), as RGB. */
async function canvasPixels(canvas: Locator): Promise<Rgb[]> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const out: Array<[number, number, number]> = [];
    for (let i = 0; i < data.length; i += 4) out.push([data[i], data[i + 1], data[i + 2]]);
    return out;
  });
}

/** Blue reads as blue when its blue channel is well above its red one (white and the reds never are). */
const isBlue = ([r, , b]: Rgb) => b > r + 20;

async function waitForGrid(page: Page, ids: string[]): Promise<void> {
  for (const id of ids) await expect(page.getByTestId(`compare-status-${id}`)).toContainText(' ms on ', { timeout: 90_000 });
}

test('legends and captions follow the sign mode and the unit; shared ranges stay within a unit; the RDE mask looks the same everywhere', async ({ studio }, testInfo) => {
  const { page } = studio;
  await page.setViewportSize({ width: 1280, height: 720 });
  // A link that names RDE settings runs RDE at once; rank 0 (diagonal ADF) is its cheapest mode.
  await page.goto('/?digit=digit-7-0.png&lambda=0.5&rank=0&mode=diag');
  const s = await studio.waitForRde();

  // The RDE panel's mask: white 0 … red 1, caption and legend from the same scale.
  const panelMask = page.getByTestId('rde-mask');
  await expect(panelMask).toHaveAttribute('data-palette', 'reds');
  await expect(panelMask).toHaveAttribute('data-domain', '0,1');
  const panelLegend = page.getByTestId('rde-legend');
  await expect(panelLegend).toHaveAttribute('data-domain', '0,1');
  await expect(page.getByTestId('rde-legend-min')).toHaveText('0');
  await expect(page.getByTestId('rde-legend-max')).toHaveText('1');
  await expect(page.getByTestId('rde-mask-caption')).toContainText('the mask keeps (red, s = 1)');
  const panelPixels = await canvasPixels(panelMask);
  expect(panelPixels.filter(isBlue)).toEqual([]);
  expect(s.rde.maskMean!).toBeGreaterThan(0);
  await page.getByTestId('rde-mask').scrollIntoViewIfNeeded();
  const panelShot = testInfo.outputPath('display-modes-rde-panel.png');
  await page.screenshot({ path: panelShot });
  await testInfo.attach('RDE panel mask', { path: panelShot, contentType: 'image/png' });

  // The grid: the cheap methods run when it opens; RDE runs on request, here with few iterations.
  await page.getByTestId('compare-toggle').click();
  await waitForGrid(page, ['gradient', 'smoothgrad', 'occlusion', 'integrated-gradients', 'lrp']);
  await page.getByTestId('compare-params-rde').click();
  await page.getByTestId('compare-param-rde-iterations').fill('30');
  await page.getByTestId('compare-param-rde-iterations').press('Enter');
  await page.getByTestId('compare-run-rde').click();
  await waitForGrid(page, ['rde']);

  // Both signs: the signed maps are diverging, with "blue lowers it"; the mask is not.
  await expect(page.getByTestId('compare-caption')).toContainText('red raises the score, blue lowers it');
  await expect(page.getByTestId('compare-legend-gradient')).toHaveAttribute('data-palette', 'diverging');
  await expect(page.getByTestId('compare-map-caption-gradient')).toHaveText('red raises the score, blue lowers it.');

  // The mask in the grid: the panel's palette and domain, the same bar colour for colour, no blue pixel.
  const cardMask = page.getByTestId('compare-map-rde');
  await expect(cardMask).toHaveAttribute('data-palette', 'reds');
  await expect(cardMask).toHaveAttribute('data-domain', '0,1');
  await expect(page.getByTestId('compare-legend-min-rde')).toHaveText('0');
  await expect(page.getByTestId('compare-legend-max-rde')).toHaveText('1');
  await expect(page.getByTestId('compare-map-caption-rde')).toHaveText(await page.getByTestId('rde-mask-caption').innerText().then((t) => t.replace(/^Class \d+: /, '')));
  const panelBar = await legendStops(panelLegend);
  expect(panelBar).toHaveLength(11);
  expect(await legendStops(page.getByTestId('compare-legend-rde'))).toEqual(panelBar);
  // White at 0 (d3's Reds starts at #fff5f0) to dark red at 1 (#67000d).
  expect([panelBar[0], panelBar[10]]).toEqual([[255, 245, 240], [103, 0, 13]]);
  const cardPixels = await canvasPixels(cardMask);
  expect(cardPixels.filter(isBlue)).toEqual([]);
  // Every pixel of either mask has the ramp's character: red is its strongest channel (white to dark red).
  for (const [r, g, b] of [...panelPixels, ...cardPixels]) expect(r >= g && r >= b, `rgb(${r}, ${g}, ${b})`).toBe(true);

  // Absolute |R|: no blue in any legend, no "blue lowers it" anywhere.
  await page.getByTestId('compare-sign-absolute').check();
  await expect(page.getByTestId('compare-caption')).not.toContainText('blue');
  const cards = ['gradient', 'smoothgrad', 'integrated-gradients', 'lrp', 'occlusion', 'rde'];
  for (const id of cards) {
    const legend = page.getByTestId(`compare-legend-${id}`);
    await expect(legend).toHaveAttribute('data-palette', 'reds');
    await expect(legend).not.toHaveAttribute('aria-label', /blue/);
    expect((await legendStops(legend)).filter(isBlue), id).toEqual([]);
    expect((await canvasPixels(page.getByTestId(`compare-map-${id}`))).filter(isBlue), id).toEqual([]);
    await expect(page.getByTestId(`compare-map-caption-${id}`)).not.toContainText('blue');
    await expect(page.getByTestId(`compare-legend-min-${id}`)).toHaveText('0');
  }
  await expect(page.getByTestId('compare-map-caption-gradient')).toHaveText('|R|: darker red moves the score more, either way; the direction is not shown.');
  // As a person at 1280 x 720 sees the first cards.
  await page.getByTestId('compare-card-gradient').scrollIntoViewIfNeeded();
  const absoluteShot = testInfo.outputPath('display-modes-absolute.png');
  await page.screenshot({ path: absoluteShot });
  await testInfo.attach('grid, absolute |R|', { path: absoluteShot, contentType: 'image/png' });

  // Shared: within a unit. Occlusion (logit lost per window) is alone in its unit; the gradient
  // shares ∂ logit / ∂ input with SmoothGrad; the mask keeps 0…1.
  await page.getByTestId('compare-sign-all').check();
  await page.getByTestId('compare-norm-per-map').check();
  const perMap = (await studio.snapshot()).compare.methods;
  await page.getByTestId('compare-norm-shared').check();
  await expect(page.getByTestId('compare-shared-ranges')).toContainText('Shared within a unit');
  const shared = (await studio.snapshot()).compare.methods;
  expect(shared.occlusion.unit).toBe('logit-drop');
  expect(shared.gradient.unit).toBe('logit-per-input');
  expect(shared.occlusion.limit).toBe(perMap.occlusion.limit);
  expect(shared.gradient.limit).toBe(Math.max(perMap.gradient.limit!, perMap.smoothgrad.limit!));
  expect(shared.smoothgrad.limit).toBe(shared.gradient.limit);
  expect(shared['integrated-gradients'].limit).toBe(Math.max(perMap['integrated-gradients'].limit!, perMap.lrp.limit!));
  expect(shared.rde.domain).toEqual([0, 1]);
  // The two stated ranges differ (occlusion ≈ 5 logit, the gradient ≈ 1 logit per unit of input here).
  const occlusionMax = formatValue(shared.occlusion.limit!);
  const gradientMax = formatValue(shared.gradient.limit!);
  expect(occlusionMax).not.toBe(gradientMax);
  await expect(page.getByTestId('compare-legend-max-occlusion')).toHaveText(occlusionMax);
  await expect(page.getByTestId('compare-legend-max-gradient')).toHaveText(gradientMax);
  await expect(page.getByTestId('compare-legend-unit-occlusion')).toHaveText('logit lost when its window is occluded');
  await expect(page.getByTestId('compare-legend-unit-gradient')).toHaveText('∂ logit / ∂ input');
  await expect(page.getByTestId('compare-legend-range-occlusion')).toHaveText('±max |R| of this map: no other map in this unit to share with');
  await expect(page.getByTestId('compare-legend-range-gradient')).toHaveText('±max |R| shared by the 2 maps in this unit');
  await expect(page.getByTestId('compare-shared-logit-drop')).toContainText(`-${occlusionMax} … ${occlusionMax}`);
  await expect(page.getByTestId('compare-shared-logit-per-input')).toContainText(`for Gradient (sensitivity), SmoothGrad`);
  await expect(page.getByTestId('compare-shared-mask')).toContainText('0 … 1 (fixed)');
  const shot = testInfo.outputPath('display-modes-shared.png');
  await page.getByTestId('panel-compare').screenshot({ path: shot });
  await testInfo.attach('grid, shared within a unit', { path: shot, contentType: 'image/png' });
});
