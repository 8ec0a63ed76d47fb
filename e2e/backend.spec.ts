import { test, expect } from './studio';
import { BACKEND_LABELS, type BackendName } from '../src/core/tf/backendNames';

test('the page names its backend; auto picks WASM over software GPU adapters here', async ({ studio, header }) => {
  const s = await studio.snapshot();
  // On this machine WebGPU is a fallback adapter and WebGL runs on SwiftShader: both software.
  const options = await header.backendOptions();
  expect(options[0]).toBe(`Auto (${BACKEND_LABELS[s.autoChoice as BackendName]} here)`);
  expect(s.backend).toBe(s.autoChoice);
  if (options.some((o) => /WebGL \(software\)/.test(o))) expect(s.autoChoice).toBe('wasm');
  await expect(header.backendActive).toHaveText(BACKEND_LABELS[s.backend as BackendName]);
});

test('switching the backend recomputes the map with the same prediction and gradient (1e-3)', async ({ studio, intake, header, relevance }) => {
  const onAuto = await intake.showDigit('digit-6-0.png');
  for (const backend of ['cpu', 'webgl'] as const) {
    const available = await header.backendOption(backend).isEnabled();
    if (!available) continue;
    await header.selectBackend(backend);
    await expect(header.backendActive).toHaveText(BACKEND_LABELS[backend]);
    await studio.hook.waitFor((s) => s.runs.gradient?.status === 'done');
    await expect(relevance.runMeta).toContainText(`on ${backend}`);
    const s = await studio.snapshot();
    expect(s.predicted).toBe(onAuto.predicted);
    expect(Math.abs(s.runs.gradient.max! - onAuto.runs.gradient.max!)).toBeLessThan(1e-3 * Math.abs(onAuto.runs.gradient.max!));
  }
});
