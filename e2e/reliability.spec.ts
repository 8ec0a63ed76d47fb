// Faults of the compute worker and its GPU: the page notices, restarts the worker, says what
// happened, and keeps the model, the image and the settings (issue 9, defects 2 and 3).
import { test, expect, type StudioPage } from './studio';
import type { WorkerFault } from '../src/worker/protocol';

async function openDigit(studio: StudioPage, query = '') {
  if (query) await studio.open(`/?${query}`);
  return studio.intake.showDigit('digit-4-0.png');
}

/** Starts a fault in the worker without waiting for the call (a hang never answers). */
async function fault(studio: StudioPage, kind: WorkerFault) {
  await studio.hook.eval((h, k) => {
    void h.simulateFault(k);
  }, kind);
}

/** Waits for the restart notice, then for the map of the same digit on the new worker. */
async function expectRestored(studio: StudioPage, notice: RegExp, before: { predicted: number | null; logits: number[] | null }) {
  const { header } = studio;
  await expect(header.error).toContainText(notice, { timeout: 60_000 });
  await expect(header.error).toContainText('your model, image and settings are kept.');
  await studio.hook.waitForHook((h) => h.snapshot().runs.gradient?.status === 'done' && h.workerStarts() === 2, undefined, { timeout: 60_000 });
  const after = await studio.snapshot();
  expect(after.source).toBe('Test digit 4 (digit-4-0.png)');
  expect(after.predicted).toBe(before.predicted);
  return after;
}

test('a worker killed without a word is noticed by the heartbeat and restarted with the image', async ({ studio, intake, rde, header }) => {
  const { page } = studio;
  const before = await openDigit(studio);
  await rde.setLambda(2);
  await studio.waitForRde();
  const points = (await rde.state()).points;
  await studio.hook.eval((h) => h.terminateWorker());
  // The next image goes to a dead worker: "Classifying…" must end, and that image is not lost.
  await intake.pickDigit('digit-7-0.png');
  await expect(page.getByText('Classifying…')).toBeVisible();
  await expect(header.error).toContainText('The compute worker stopped answering for 20 s.', { timeout: 40_000 });
  await studio.hook.waitFor((s) => s.source === 'Test digit 7 (digit-7-0.png)', undefined, { timeout: 40_000 });
  const after = await studio.waitForMap('Test digit 7 (digit-7-0.png)');
  expect(after.predicted).toBe(7);
  expect(after.rde.settings.lambda).toBe(2);
  expect(before.predicted).toBe(4);
  expect(points).toBeGreaterThan(0);
  await expect(page.getByText('Classifying…')).toHaveCount(0);
});

test('a crash (uncaught error in the worker) restarts it at once; the points and settings stay', async ({ studio, intake }) => {
  studio.expectConsoleErrors(/Simulated crash of the compute worker/);
  const before = await openDigit(studio);
  await studio.waitForRde();
  const rdeBefore = (await studio.snapshot()).rde;
  await fault(studio, 'crash');
  const after = await expectRestored(studio, /The compute worker failed \(.*Simulated crash of the compute worker\.\)\. The studio restarted it;/, before);
  expect(after.logits).toEqual(before.logits);
  expect(after.rde.points).toBeGreaterThanOrEqual(rdeBefore.points);
  expect(after.rde.settings).toEqual(rdeBefore.settings);
  // The page goes on working.
  expect((await intake.showDigit('digit-2-0.png')).predicted).toBe(2);
});

test('a hung worker is ended after 20 s without an answer and the run that was waiting fails clearly', async ({ studio, intake, header }) => {
  const before = await openDigit(studio);
  await fault(studio, 'hang');
  // A run waits on the hung worker; it must not wait forever.
  await intake.pickDigit('digit-4-1.png');
  await expect(header.error).toContainText('The compute worker stopped answering for 20 s.', { timeout: 40_000 });
  await studio.hook.waitForHook((h) => h.workerStarts() === 2);
  const after = await studio.waitForMap('Test digit 4 (digit-4-1.png)');
  expect(after.predicted).toBe(before.predicted);
});

/** The worker's tensors once the map, the RDE run and its obfuscation strip are done. */
async function tensorsAtRest(studio: StudioPage): Promise<number> {
  await studio.waitForRde();
  await studio.hook.waitFor((s) => s.rde.obfuscationScores !== null);
  return studio.tensorCount();
}

test('WASM running out of memory gets a fresh worker, the same answer and the same tensors at rest', async ({ studio }) => {
  studio.expectConsoleErrors(/Aborted|out of memory|Cannot enlarge memory|Invalid typed array length/i);
  const before = await openDigit(studio, 'backend=wasm');
  const tensors = await tensorsAtRest(studio);
  await fault(studio, 'oom');
  const after = await expectRestored(studio, /The compute worker ran out of memory \(Invalid typed array length: \d+\)\. The studio restarted it;/, before);
  expect(after.backend).toBe('wasm');
  expect(after.logits).toEqual(before.logits);
  // The new worker holds what the old one held at rest: the 4 GB the fault took died with the old one.
  expect(await tensorsAtRest(studio)).toBe(tensors);
});

for (const [backend, label] of [['webgl', 'WebGL'], ['webgpu', 'WebGPU']] as const) {
  test(`a lost ${label} device falls back to WASM and says so`, async ({ studio }) => {
    const before = await openDigit(studio, `backend=${backend}`);
    expect(before.backend).toBe(backend);
    await fault(studio, 'gpu-loss');
    const after = await expectRestored(studio, new RegExp(`The ${label} device was lost \\(.+\\)\\. The studio restarted it on WASM \\(choose ${label} in the backend list to try it again\\)`), before);
    expect(after.backend).toBe('wasm');
    await expect(studio.header.backendActive).toHaveText('WASM');
    // Same prediction; logits within float32 differences between GPU and WASM kernels.
    after.logits!.forEach((v, k) => expect(Math.abs(v - before.logits![k])).toBeLessThan(1e-3 * (1 + Math.abs(v))));
  });
}

test('a panel that cannot draw shows its error in place; the rest of the studio keeps working', async ({ studio, intake }) => {
  studio.expectConsoleErrors(/Objects are not valid as a React child|Minified React error #31|The above error occurred/);
  const { page } = studio;
  await openDigit(studio);
  await studio.hook.eval((h) => h.injectRenderFault());
  const failed = page.getByTestId('panel-failed');
  await expect(failed.first()).toContainText('This panel could not be drawn');
  await expect(failed.first()).toContainText('This panel could not be drawn. The rest of the studio still works.');
  // The page is not blank: the header and the intake (which shows no class names) still work.
  await expect(page.getByRole('heading', { name: 'Explanation Studio' })).toBeVisible();
  await expect(intake.dropzone).toBeVisible();
  expect((await intake.showDigit('digit-2-0.png')).predicted).toBe(2);
});

test('a worker that keeps failing is restarted 3 times within a minute, then the studio stops and says so', async ({ studio, header }) => {
  studio.expectConsoleErrors(/Simulated crash of the compute worker/);
  await openDigit(studio);
  for (let k = 1; k <= 3; k++) {
    await fault(studio, 'crash');
    await studio.hook.waitForHook((h, n) => h.workerStarts() === n + 1 && h.snapshot().backendStatus === 'ready', k, { timeout: 60_000 });
  }
  await fault(studio, 'crash');
  await expect(header.error).toHaveText(/^The compute worker failed \(.*\)\. This happened 4 times within a minute, so the studio stopped restarting the compute worker\. Reload the page to start again\./, { timeout: 30_000 });
  expect((await studio.snapshot()).backendStatus).toBe('failed');
});
