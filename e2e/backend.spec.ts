import { test, expect } from './studio';
import { BACKEND_LABELS, type BackendName } from '../src/core/tf/backendNames';

test('the page names its backend; auto picks WASM over software GPU adapters here', async ({ studio }) => {
  const { page } = studio;
  const s = await studio.snapshot();
  // On this machine WebGPU is a fallback adapter and WebGL runs on SwiftShader: both software.
  const options = await page.getByTestId('backend-select').locator('option').allTextContents();
  expect(options[0]).toBe(`Auto (${BACKEND_LABELS[s.autoChoice as BackendName]} here)`);
  expect(s.backend).toBe(s.autoChoice);
  if (options.some((o) => /WebGL \(software\)/.test(o))) expect(s.autoChoice).toBe('wasm');
  await expect(page.getByTestId('backend-active')).toHaveText(BACKEND_LABELS[s.backend as BackendName]);
});

test('switching the backend recomputes the map with the same prediction and gradient (1e-3)', async ({ studio }) => {
  const { page } = studio;
  await page.getByTestId('digit-digit-6-0.png').click();
  const onAuto = await studio.waitForMap();
  for (const [value, label] of [['cpu', 'CPU'], ['webgl', 'WebGL']] as const) {
    const available = await page.getByTestId('backend-select').locator(`option[value="${value}"]`).isEnabled();
    if (!available) continue;
    await page.getByTestId('backend-select').selectOption(value);
    await expect(page.getByTestId('backend-active')).toHaveText(label);
    await page.waitForFunction(() => (window as unknown as { __studio: { snapshot(): { runs: Record<string, { status: string }> } } }).__studio.snapshot().runs.gradient?.status === 'done');
    await expect(page.getByTestId('run-meta')).toContainText(`on ${value}`);
    const s = await studio.snapshot();
    expect(s.predicted).toBe(onAuto.predicted);
    expect(Math.abs(s.runs.gradient.max! - onAuto.runs.gradient.max!)).toBeLessThan(1e-3 * Math.abs(onAuto.runs.gradient.max!));
  }
});
