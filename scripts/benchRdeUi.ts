// `npm run bench -- rde-ui [--repeat 5]`: the RDE panel in Chromium (backend auto, built-in
// model, digit-3-0.png, diagonal mode, the panel's defaults: 300 iterations at most, stopping once F falls by less than 0.1% over 10 iterations). For a λ change made with the
// number field (fill + Enter) and with the slider: the time from the change to the first redrawn
// mask (the store's mask checksum changes) and to the converged map (status done: F settled). Both are
// measured inside the page: performance.now() at the change event (keydown Enter, or the
// slider's input event), then polled every animation frame. Issue 4, "Speed, measured".
import type { StudioTestHook } from '../src/ui/testHook';
import { openStudio, type StudioBrowser } from './browserHarness';
import { median, printTable } from './benchTable';

const DIGIT = 'digit-3-0.png';
/** What one λ change took, in ms from the change event. */
interface Trial {
  firstMask: number;
  converged: number;
  /** The run's own figures: trace length, and ms from the run's start (after the 60 ms debounce) to its end. */
  iterations: number;
  runMs: number;
  lambda: number;
}

type Control = 'field' | 'slider';

/** Starts watching the page for the next λ change on `control`; the promise lands on window.__rdeTrial. */
function watch(studio: StudioBrowser, control: Control): Promise<void> {
  return studio.page.evaluate((kind) => {
    const w = window as unknown as { __studio: StudioTestHook; __rdeTrial?: Promise<Trial | string> };
    const element = document.querySelector(`[data-testid="${kind === 'field' ? 'rde-lambda' : 'rde-lambda-slider'}"]`)!;
    const before = w.__studio.snapshot().rde.maskChecksum;
    w.__rdeTrial = new Promise((resolve) => {
      let t0: number | null = null;
      let firstMask: number | null = null;
      let started = false;
      const event = kind === 'field' ? 'keydown' : 'input';
      const onChange = (e: Event) => {
        if (t0 === null && (kind === 'slider' || (e as KeyboardEvent).key === 'Enter')) t0 = performance.now();
      };
      element.addEventListener(event, onChange, { capture: true });
      const giveUp = setTimeout(() => resolve('no converged map within 300 s'), 300_000);
      const frame = () => {
        if (t0 !== null) {
          const now = performance.now();
          const r = w.__studio.snapshot().rde;
          if (firstMask === null && r.maskChecksum !== before) firstMask = now - t0;
          started ||= r.status === 'running';
          if (started && r.status !== 'running') {
            clearTimeout(giveUp);
            element.removeEventListener(event, onChange, { capture: true });
            resolve(r.status !== 'done' ? `run ended ${r.status}: ${r.error}` : {
              firstMask: firstMask ?? now - t0, converged: now - t0, iterations: r.iterations,
              runMs: r.timing.done ?? NaN, lambda: r.settings.lambda,
            });
            return;
          }
        }
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
  }, control);
}

async function trial(studio: StudioBrowser, control: Control, value: string): Promise<Trial> {
  await watch(studio, control);
  if (control === 'field') {
    await studio.page.getByTestId('rde-lambda').fill(value);
    await studio.page.getByTestId('rde-lambda').press('Enter');
  } else {
    await studio.page.getByTestId('rde-lambda-slider').fill(value);
  }
  const result = await studio.page.evaluate(() => (window as unknown as { __rdeTrial: Promise<Trial | string> }).__rdeTrial);
  if (typeof result === 'string') throw new Error(`${control} ${value}: ${result}`);
  // The finished run draws a fresh obfuscation strip in the worker; let it land before the next change.
  await studio.page.waitForTimeout(1000);
  return result;
}

export async function benchRdeUi(flags: Record<string, string>): Promise<void> {
  const repeat = Number(flags.repeat ?? 5);
  const studio = await openStudio(`digit=${DIGIT}&lambda=0.5&rank=0&mode=diag`);
  try {
    const start = await studio.snapshot();
    if (start.rde.settings.mode !== 'diag' || start.rde.settings.iterations !== 300) throw new Error(`Unexpected RDE settings ${JSON.stringify(start.rde.settings)}.`);
    // Alternating λ, each run from s₀ as in the studio. The field
    // alternates 2 and 0.5; the slider (log₁₀ λ) 0.501 and 2.
    const plans: Array<{ control: Control; label: string; values: string[] }> = [
      { control: 'field', label: 'number field, fill + Enter (λ 2 ↔ 0.5)', values: Array.from({ length: repeat }, (_, i) => (i % 2 ? '0.5' : '2')) },
      { control: 'slider', label: 'slider (λ 0.501 ↔ 2)', values: Array.from({ length: repeat }, (_, i) => (i % 2 ? '0.3' : '-0.3')) },
    ];
    const rows: Array<Record<string, string>> = [];
    for (const plan of plans) {
      const trials: Trial[] = [];
      for (const value of plan.values) {
        trials.push(await trial(studio, plan.control, value));
        const t = trials[trials.length - 1];
        console.error(`${plan.control} → λ=${t.lambda}: first mask ${t.firstMask.toFixed(0)} ms, converged ${t.converged.toFixed(0)} ms, ${t.iterations} iterations in ${t.runMs.toFixed(0)} ms`);
      }
      const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
      rows.push({
        'λ change': plan.label,
        runs: String(trials.length),
        'first redrawn mask, ms (median)': median(trials.map((t) => t.firstMask)).toFixed(0),
        'first mask, range': range(trials.map((t) => t.firstMask)),
        'converged map, ms (median)': median(trials.map((t) => t.converged)).toFixed(0),
        'converged, range': range(trials.map((t) => t.converged)),
        iterations: String(median(trials.map((t) => t.iterations))),
        'ms / iteration': median(trials.map((t) => t.runMs / t.iterations)).toFixed(1),
      });
    }
    const end = await studio.snapshot();
    if (studio.problems.length) console.error(studio.problems.join('\n'));
    console.log(`Chromium, backend ${end.backend} (auto picks ${end.autoChoice}); ${DIGIT}, class ${end.predicted}; diagonal mode, panel defaults (at most 300 iterations, stop when F settles within 0.1% over 10), `
      + 'every run from s₀ (no warm start); ms from the change event in the page, polled every animation frame. Enter in the field submits the '
      + 'panel\'s form and starts the run at once; a slider move starts it after the 60 ms debounce');
    printTable(rows);
  } finally {
    await studio.close();
  }
}
