// `npm run bench -- estimates`: how close the time a run shows before it starts (Method.estimate's
// passes × the worker's measured time per pass; store/actions.ts estimateRun) comes to the time
// the run then takes, in Chromium through the studio's worker, on the backend the studio picks.
// Each configuration: the estimate before any run of it (passes × the measured time per pass),
// one run, the estimate again (now scaled by what that run took against its own estimate, as the
// worker learns per backend, method and mode), and the run measured.
import type { StudioTestHook } from '../src/ui/testHook';
import { openStudio } from './browserHarness';
import { printTable } from './benchTable';

const DIGIT = 'digit-3-0.png';

const CONFIGS: Array<{ method: string; params: Record<string, unknown>; label: string }> = [
  { method: 'rde', params: {}, label: 'defaults (diagonal, stop once F settles, ≤ 300 iterations)' },
  { method: 'rde', params: { lambda: 2 }, label: 'defaults at λ = 2' },
  { method: 'rde', params: { plateau: 0 }, label: 'diagonal, all 300 iterations' },
  { method: 'rde', params: { mode: 'lowrank-diag', rank: 30, iterations: 60, plateau: 0 }, label: 'low-rank + diagonal, rank 30, 60 iterations' },
  { method: 'rde', params: { mode: 'mc', rank: 10, samples: 32, iterations: 30, plateau: 0 }, label: 'Monte Carlo, 32 samples, 30 iterations' },
  { method: 'shapley-exact', params: { patch: 7 }, label: '16 players (7 x 7 patches)' },
  { method: 'shapley-sampling', params: { samples: 20 }, label: '49 players, 20 orders' },
  { method: 'kernel-shap', params: { samples: 500 }, label: '49 players, 500 coalitions' },
  { method: 'lime', params: { samples: 500 }, label: '50 superpixels, 500 coalitions' },
];

type Hook = { __studio: StudioTestHook };

export async function benchEstimates(): Promise<void> {
  const studio = await openStudio(`digit=${DIGIT}`);
  try {
    const { backend } = await studio.snapshot();
    const rows: Array<Record<string, string>> = [];
    for (const c of CONFIGS) {
      const run = () => studio.page.evaluate(([m, p]) => (window as unknown as Hook).__studio.timeMethod(m, p), [c.method, c.params] as const);
      const ask = () => studio.page.evaluate(([m, p]) => (window as unknown as Hook).__studio.estimateMethod(m, p), [c.method, c.params] as const);
      const prior = await ask();
      await run();
      const estimate = await ask();
      if (!prior || !estimate) throw new Error(`No estimate for ${c.method}.`);
      const measured = await run();
      rows.push({
        method: c.method, settings: c.label,
        'estimated passes (fwd / bwd)': `${estimate.passes.forward} / ${estimate.passes.backward}`,
        'estimate before any run, ms': `${prior.atMost ? '≤ ' : ''}${prior.milliseconds.toFixed(0)}`,
        'estimate after one run, ms': `${estimate.typicalMilliseconds !== undefined ? `≈ ${estimate.typicalMilliseconds.toFixed(0)}, ` : ''}${estimate.atMost ? '≤ ' : ''}${estimate.milliseconds.toFixed(0)}`,
        'measured, ms': measured.milliseconds.toFixed(0),
        'measured / estimate after one run': (measured.milliseconds / (estimate.typicalMilliseconds ?? estimate.milliseconds)).toFixed(2),
      });
      console.error(`${c.method} ${c.label}: estimate ${estimate.milliseconds.toFixed(0)} ms, measured ${measured.milliseconds.toFixed(0)} ms`);
    }
    console.log(`Chromium, backend ${backend}; ${DIGIT}; per row: estimate, a first run, estimate again, the measured run`);
    printTable(rows);
    if (studio.problems.length) console.error(studio.problems.join('\n'));
  } finally {
    await studio.close();
  }
}
