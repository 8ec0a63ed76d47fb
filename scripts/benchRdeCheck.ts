// `npm run bench -- rde-check [--digits 6-0,3-1,8-0] [--modes diag,lowrank-diag:30]`: what the
// Monte-Carlo check of a finished RDE mask costs on WASM in Node, beside the run itself: per
// bundled digit and mode, the run's time, the check's time and samples, and D by ADF and by
// Monte Carlo. The check runs after the run, so the first mask is never later for it.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { setupNodeBackend } from '../src/core/tf/node';
import { PROJECT_ROOT } from '../src/node/modelFiles';
import { imageInput, inputTensor, openModel } from '../src/node/studioSession';
import { runRde } from '../src/core/rde/rde';
import { rdeParams } from '../src/core/rde/params';
import { verifyDistortion } from '../src/core/rde/verify';
import { printTable } from './benchTable';

export async function benchRdeCheck(flags: Record<string, string>): Promise<void> {
  await setupNodeBackend('wasm');
  const model = await openModel('mnist');
  const digits = (flags.digits ?? '6-0,3-1,8-0').split(',');
  const modes = (flags.modes ?? 'diag,lowrank-diag:30').split(',').map((m) => {
    const [mode, rank] = m.split(':');
    return { mode, rank: Number(rank ?? 0) };
  });
  const rows: Array<Record<string, string>> = [];
  for (const file of digits) {
    const x = inputTensor(imageInput(join(PROJECT_ROOT, 'public', 'digits', `digit-${file}.png`), model.meta));
    const target = Number(file.split('-')[0]);
    for (const { mode, rank } of modes) {
      const p = rdeParams.parse({ mode, rank });
      const t0 = performance.now();
      const run = await runRde(model.net, x, target, p, { reference: model.reference, seed: 1 });
      const t1 = performance.now();
      const s = tf.tensor4d(run.relevance, x.shape);
      const check = await verifyDistortion(model.net, x, target, s, model.reference!, { rank, seed: 1 });
      const t2 = performance.now();
      s.dispose();
      const e = run.extras as { distortion: number; iterations: number };
      rows.push({
        digit: file, mode: `${mode}${rank ? ` r${rank}` : ''}`, iterations: String(e.iterations), 'run ms': (t1 - t0).toFixed(0),
        'check ms': (t2 - t1).toFixed(0), samples: String(check.samples), 'ms / sample': ((t2 - t1) / check.samples).toFixed(2),
        'D (ADF)': e.distortion.toFixed(2), 'D (Monte Carlo)': `${check.distortion.toFixed(2)} ± ${check.standardError.toFixed(2)}`,
      });
    }
    x.dispose();
  }
  printTable(rows);
  console.log(`load average (1, 5, 15 min): ${loadavg().map((v) => v.toFixed(2)).join(', ')} on ${(await import('node:os')).cpus().length} cores`);
}
