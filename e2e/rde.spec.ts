import { test, expect, type StudioPage } from './studio';
import type { TestInfo } from '@playwright/test';
import type { StudioTestHook } from '../src/ui/testHook';

type Rde = ReturnType<StudioTestHook['snapshot']>['rde'];

async function rde(studio: StudioPage): Promise<Rde> {
  return (await studio.snapshot()).rde;
}

/** Waits for a finished run whose settings satisfy `match`; returns the whole snapshot. */
async function waitForRun(studio: StudioPage, match: Partial<Rde['settings']>): Promise<ReturnType<StudioTestHook['snapshot']>> {
  // Polling every 200 ms, not every frame: the page's own main thread is under test.
  await studio.page.waitForFunction((m) => {
    const r = (window as unknown as { __studio: StudioTestHook }).__studio.snapshot().rde;
    return r.status === 'done' && Object.entries(m).every(([k, v]) => (r.settings as Record<string, unknown>)[k] === v);
  }, match, { timeout: 110_000, polling: 200 });
  return studio.snapshot();
}

async function keepScreenshot(studio: StudioPage, info: TestInfo, name: string): Promise<void> {
  await info.attach(name, { body: await studio.page.getByTestId('panel-rde').screenshot(), contentType: 'image/png' });
}

/** 0 turns the early stop off, so a run uses its whole iteration budget. */
async function setPlateau(studio: StudioPage, value: number): Promise<void> {
  await studio.page.getByTestId('rde-plateau').fill(String(value));
  await studio.page.getByTestId('rde-plateau').press('Enter');
}

async function setIterations(studio: StudioPage, n: number): Promise<void> {
  await studio.page.getByTestId('rde-iterations').fill(String(n));
  await studio.page.getByTestId('rde-iterations').press('Enter');
}

test('raising λ lowers the rate and changes the curve and the mask', async ({ studio }, info) => {
  const { page } = studio;
  await page.goto('/?digit=digit-7-0.png&lambda=0.2&rank=0&mode=diag');
  const before = await studio.waitForRde();
  expect(before.source).toBe('Test digit 7 (digit-7-0.png)');
  expect(before.rde.settings.lambda).toBe(0.2);
  const curveBefore = await page.getByTestId('trace-rate').getAttribute('d');
  await keepScreenshot(studio, info, 'lambda-0.2');
  await page.getByTestId('rde-lambda').fill('5');
  await page.getByTestId('rde-lambda').press('Enter');
  const after = await waitForRun(studio, { lambda: 5 });
  await keepScreenshot(studio, info, 'lambda-5');
  expect(after.rde.rate!).toBeLessThan(0.7 * before.rde.rate!);
  expect(after.rde.maskChecksum).not.toBe(before.rde.maskChecksum);
  expect(await page.getByTestId('trace-rate').getAttribute('d')).not.toBe(curveBefore);
  expect(after.rde.points).toBe(2);
  await expect(page.getByTestId('rd-point')).toHaveCount(2);
  expect(page.url()).toContain('lambda=5');
  // The slider moves the same setting (log scale): 10^1.5 ≈ 31.6.
  await page.getByTestId('rde-lambda-slider').fill('1.5');
  await expect(page.getByTestId('rde-lambda')).toHaveValue('31.6');
});

test('changing the rank changes the mode label and the curve', async ({ studio }, info) => {
  const { page } = studio;
  await page.goto('/?digit=digit-2-0.png&lambda=0.5&rank=0&mode=diag');
  const diag = await studio.waitForRde();
  await expect(page.getByTestId('rde-mode-label')).toHaveText('Diagonal ADF');
  const curve = await page.getByTestId('trace-distortion').getAttribute('d');
  await page.getByTestId('rde-rank').fill('10');
  await expect(page.getByTestId('rde-mode-label')).toHaveText('Low-rank + diagonal ADF, rank 10');
  const lowRank = await waitForRun(studio, { rank: 10, mode: 'lowrank-diag' });
  await keepScreenshot(studio, info, 'rank-10');
  expect(lowRank.rde.distortion).not.toBe(diag.rde.distortion);
  expect(await page.getByTestId('trace-distortion').getAttribute('d')).not.toBe(curve);
  expect(page.url()).toContain('mode=lowrank-diag');
  await page.getByTestId('rde-rank').fill('0');
  await expect(page.getByTestId('rde-mode-label')).toHaveText('Diagonal ADF');
});

test('cancel stops a run mid-way and frees its tensors', async ({ studio }) => {
  const { page } = studio;
  await page.goto('/?digit=digit-4-0.png');
  await studio.waitForRde();
  const idle = await studio.tensorCount();
  await setPlateau(studio, 0);
  await setIterations(studio, 3000);
  await page.waitForFunction(() => {
    const r = (window as unknown as { __studio: StudioTestHook }).__studio.snapshot().rde;
    return r.status === 'running' && r.settings.iterations === 3000 && r.iterations >= 5;
  });
  await page.getByTestId('rde-cancel').click();
  await expect(page.getByTestId('rde-status')).toHaveText('Cancelled');
  const cancelled = await rde(studio);
  expect(cancelled.iterations).toBeLessThan(3000);
  expect(cancelled.maskChecksum).not.toBeNull();
  await expect.poll(() => studio.tensorCount()).toBe(idle);
});

test('a copied link reproduces λ, rank, mode and class', async ({ studio }) => {
  const { page } = studio;
  await page.goto('/?digit=digit-3-0.png&lambda=2&rank=5&mode=lowrank&class=8');
  const first = await waitForRun(studio, { lambda: 2, rank: 5, mode: 'lowrank' });
  expect(first.runs.gradient.target).toBe(8);
  await expect(page.getByTestId('rde-mode-label')).toHaveText('Low-rank ADF, rank 5');
  await expect(page.getByTestId('rde-class')).toHaveValue('8');
  const link = page.url();
  expect(link).toContain('class=8');
  await page.goto(link);
  const again = await waitForRun(studio, { lambda: 2, rank: 5, mode: 'lowrank' });
  expect(again.source).toBe('Test digit 3 (digit-3-0.png)');
  // Same settings, same start, same seed: the same mask.
  expect(again.rde.maskChecksum).toBeCloseTo(first.rde.maskChecksum!, 3);
});

test('bad values in the link and the fields are refused with a message', async ({ studio }) => {
  const { page } = studio;
  await page.goto('/?digit=digit-1-0.png&lambda=abc&rank=3&mode=fast');
  await expect(page.getByRole('alert').first()).toContainText('Ignored in the link: lambda=abc');
  await expect(page.getByRole('alert').first()).toContainText('mode=fast');
  const s = await waitForRun(studio, { rank: 3 });
  expect(s.rde.settings.lambda).toBe(0.5);
  await page.getByTestId('rde-lambda').fill('-1');
  await page.getByTestId('rde-lambda').press('Enter');
  await expect(page.getByText('λ must be between 0 and 10000.')).toBeVisible();
  expect((await rde(studio)).settings.lambda).toBe(0.5);
});

test('sweep λ traces a frontier; a point shows its settings and restores its mask', async ({ studio }, info) => {
  const { page } = studio;
  await page.goto('/?digit=digit-0-0.png');
  await studio.waitForRde();
  await setIterations(studio, 15);
  await waitForRun(studio, { iterations: 15 });
  await page.getByRole('button', { name: 'Sweep λ' }).click();
  await page.waitForFunction(() => (window as unknown as { __studio: StudioTestHook }).__studio.snapshot().rde.frontierPoints === 10, null, { timeout: 110_000 });
  await expect(page.getByTestId('rde-frontier')).toHaveCount(1);
  await keepScreenshot(studio, info, 'sweep');
  // Points 0 and 1 are the two runs before the sweep; point 4 is the sweep's third (λ = 0.0928).
  // Points can overlap, so reach one by keyboard (as a lecturer with a clicker would).
  const points = page.getByTestId('rd-point');
  await points.nth(4).focus();
  await expect(page.getByTestId('rd-tooltip')).toContainText('λ 0.0928');
  const latest = (await rde(studio)).maskChecksum;
  await points.nth(4).press('Enter');
  await expect.poll(async () => (await rde(studio)).maskChecksum).not.toBe(latest);
  await expect(page.getByTestId('rde-lambda')).toHaveValue('0.09283');
});

test('the UI thread has no long task (> 50 ms) while RDE runs', async ({ studio }) => {
  const { page } = studio;
  await page.goto('/?digit=digit-5-0.png');
  await studio.waitForRde();
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.longTasks.push(e.duration); }).observe({ type: 'longtask' });
  });
  await setPlateau(studio, 0);
  await setIterations(studio, 60);
  const s = await waitForRun(studio, { iterations: 60 });
  expect(s.rde.iterations).toBe(60);
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  expect(longTasks, `long tasks: ${longTasks.join(', ')} ms`).toEqual([]);
});
