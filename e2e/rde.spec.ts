import { test, expect } from './studio';

// Every test opens its own link.
test.use({ startAt: null });

test('raising λ lowers the rate and changes the curve and the mask', async ({ studio, rde }, info) => {
  await studio.open('/?digit=digit-7-0.png&lambda=0.2&rank=0&mode=diag');
  const before = await studio.waitForRde();
  expect(before.source).toBe('Test digit 7 (digit-7-0.png)');
  expect(before.rde.settings.lambda).toBe(0.2);
  const curveBefore = await rde.traceRate.getAttribute('d');
  await rde.keepScreenshot(info, 'lambda-0.2');
  await rde.setLambda(5);
  const after = await rde.waitForRun({ lambda: 5 });
  await rde.keepScreenshot(info, 'lambda-5');
  expect(after.rde.rate!).toBeLessThan(0.7 * before.rde.rate!);
  expect(after.rde.maskChecksum).not.toBe(before.rde.maskChecksum);
  expect(await rde.traceRate.getAttribute('d')).not.toBe(curveBefore);
  expect(after.rde.points).toBe(2);
  await expect(rde.points).toHaveCount(2);
  expect(studio.page.url()).toContain('lambda=5');
  // The slider moves the same setting (log scale): 10^1.5 ≈ 31.6.
  await rde.lambdaSlider.fill('1.5');
  await expect(rde.lambda).toHaveValue('31.6');
});

test('changing the rank changes the mode label and the curve', async ({ studio, rde }, info) => {
  await studio.open('/?digit=digit-2-0.png&lambda=0.5&rank=0&mode=diag');
  const diag = await studio.waitForRde();
  await expect(rde.modeLabel).toHaveText('Diagonal ADF');
  const curve = await rde.traceDistortion.getAttribute('d');
  await rde.setRank(10);
  await expect(rde.modeLabel).toHaveText('Low-rank + diagonal ADF, rank 10');
  const lowRank = await rde.waitForRun({ rank: 10, mode: 'lowrank-diag' });
  await rde.keepScreenshot(info, 'rank-10');
  expect(lowRank.rde.distortion).not.toBe(diag.rde.distortion);
  expect(await rde.traceDistortion.getAttribute('d')).not.toBe(curve);
  expect(studio.page.url()).toContain('mode=lowrank-diag');
  await rde.setRank(0);
  await expect(rde.modeLabel).toHaveText('Diagonal ADF');
});

test('cancel stops a run mid-way and frees its tensors', async ({ studio, rde }) => {
  await studio.open('/?digit=digit-4-0.png');
  await studio.waitForRde();
  // Idle: the finished mask's Monte-Carlo check (which holds its noise model while it samples) is over too.
  await expect(studio.page.getByTestId('rde-check')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const idle = await studio.tensorCount();
  await rde.setPlateau(0);
  await rde.setIterations(3000);
  await rde.waitForRunning({ iterations: 3000, done: 5 });
  await rde.cancel();
  await expect(rde.status).toHaveText('Cancelled');
  const cancelled = await rde.state();
  expect(cancelled.iterations).toBeLessThan(3000);
  expect(cancelled.maskChecksum).not.toBeNull();
  await expect.poll(() => studio.tensorCount()).toBe(idle);
});

test('a copied link reproduces λ, rank, mode and class', async ({ studio, rde }) => {
  await studio.open('/?digit=digit-3-0.png&lambda=2&rank=5&mode=lowrank&class=8');
  const first = await rde.waitForRun({ lambda: 2, rank: 5, mode: 'lowrank' });
  expect(first.runs.gradient.target).toBe(8);
  await expect(rde.modeLabel).toHaveText('Low-rank ADF, rank 5');
  await expect(rde.classSelect).toHaveValue('8');
  const link = studio.page.url();
  expect(link).toContain('class=8');
  await studio.open(link);
  const again = await rde.waitForRun({ lambda: 2, rank: 5, mode: 'lowrank' });
  expect(again.source).toBe('Test digit 3 (digit-3-0.png)');
  // Same settings, same start, same seed: the same mask.
  expect(again.rde.maskChecksum).toBeCloseTo(first.rde.maskChecksum!, 3);
});

test('bad values in the link and the fields are refused with a message', async ({ studio, rde }) => {
  const { page } = studio;
  await page.goto('/?digit=digit-1-0.png&lambda=abc&rank=3&mode=fast');
  await expect(page.getByRole('alert').first()).toContainText('Ignored in the link: lambda=abc');
  await expect(page.getByRole('alert').first()).toContainText('mode=fast');
  // A short run at the link's rank 3 (the change cancels the link's run) must finish.
  await rde.setIterations(20);
  const s = await rde.waitForRun({ rank: 3, iterations: 20 });
  expect(s.rde.settings.lambda).toBe(0.5);
  await rde.setLambda(-1);
  await expect(page.getByText('λ must be a number from 0 to 10000.')).toBeVisible();
  expect((await rde.state()).settings.lambda).toBe(0.5);
});

test('sweep λ traces a frontier; a point shows its settings and restores its mask', async ({ studio, rde }, info) => {
  await studio.open('/?digit=digit-0-0.png');
  // 15 iterations a run: the change cancels the link's run (a cancelled run leaves no point).
  await rde.waitForStarted();
  await rde.setIterations(15);
  const before = (await rde.waitForRun({ iterations: 15 })).rde.points;
  await rde.sweep();
  await studio.hook.waitFor((s) => s.rde.frontierPoints === 10, undefined, { timeout: 110_000 });
  await expect(rde.frontier).toHaveCount(1);
  await rde.keepScreenshot(info, 'sweep');
  // The runs before the sweep come first; then the sweep's, its third at λ = 0.0928.
  // Points can overlap, so reach one by keyboard (as a lecturer with a clicker would).
  const third = rde.points.nth(before + 2);
  await third.focus();
  await expect(rde.tooltip).toContainText('λ 0.0928');
  const latest = (await rde.state()).maskChecksum;
  await third.press('Enter');
  await expect.poll(async () => (await rde.state()).maskChecksum).not.toBe(latest);
  await expect(rde.lambda).toHaveValue('0.09283');
});

test('the UI thread has no long task (> 50 ms) while RDE runs', async ({ studio, rde }) => {
  const { page } = studio;
  await studio.open('/?digit=digit-5-0.png');
  await studio.waitForRde();
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.longTasks.push(e.duration); }).observe({ type: 'longtask' });
  });
  await rde.setPlateau(0);
  await rde.setIterations(60);
  const s = await rde.waitForRun({ iterations: 60 });
  expect(s.rde.iterations).toBe(60);
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  expect(longTasks, `long tasks: ${longTasks.join(', ')} ms`).toEqual([]);
});
