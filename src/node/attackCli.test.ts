// `npm run cli -- attack` in-process: the JSON's fields and their shapes, x + δ inside the ε-ball
// and the range as written, the kind of attack per method, and the refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupNodeBackend } from '../core/tf/node';
import { runCli, type CliDeps } from './cli';
import { PROJECT_ROOT } from './modelFiles';
import { openModel } from './studioSession';

const DIGIT_3 = join(PROJECT_ROOT, 'public', 'digits', 'digit-3-0.png');
const D = 28 * 28;

let dir: string;
let mnist: Awaited<ReturnType<typeof openModel>>;
const deps: CliDeps = { openModel: async () => mnist };

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, deps);
  return { code, out, err };
}

beforeAll(async () => {
  await setupNodeBackend('wasm');
  mnist = await openModel('mnist');
  dir = mkdtempSync(join(tmpdir(), 'attack-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = ['attack', '--model', 'mnist', '--image', DIGIT_3];

describe('attack', () => {
  it('writes input, attacked, maps, logits, the trace and the random baseline; x + δ stays in the ε-ball and [0, 1]', async () => {
    const out = join(dir, 'topk.json');
    const r = await cli(...base, '--method', 'gradient', '--attack', 'topk', '--epsilon', '8/255', '--iterations', '3', '--out', out);
    expect(r.err.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^topk attack \(gradient\) on gradient, ε = 0\.03137: top-k ∩ [0-9.]+ \(random [0-9.]+\), .* class 3 kept; \d+ ms; wrote /);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json).toMatchObject({
      model: 'mnist', method: 'gradient', attack: 'topk', kind: 'gradient', label: 3, k: 78,
      inputRange: [0, 1], inputRangeFrom: 'meta.json', inputShape: [1, 28, 28, 1], layout: 'NHWC',
    });
    expect(json.epsilon).toBeCloseTo(8 / 255, 12);
    expect(json.epsilonFraction).toBeCloseTo(8 / 255, 12);
    for (const key of ['input', 'attacked', 'mapBefore', 'mapAfter']) expect(json[key]).toHaveLength(D);
    for (const key of ['logitsBefore', 'logitsAfter']) expect(json[key]).toHaveLength(10);
    for (let i = 0; i < D; i++) {
      expect(Math.abs(json.attacked[i] - json.input[i])).toBeLessThanOrEqual(json.epsilon + 1.2e-7);
      expect(json.attacked[i]).toBeGreaterThanOrEqual(0);
      expect(json.attacked[i]).toBeLessThanOrEqual(1);
    }
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    expect(argmax(json.logitsAfter)).toBe(3);
    expect(json.trace).toHaveLength(3);
    for (const t of json.trace) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['iteration', 'topkIntersection', 'spearman', 'massCentreShift', 'labelKept']));
      expect(t.labelKept).toBe(true);
    }
    expect(Object.keys(json.random)).toEqual(expect.arrayContaining(['topkIntersection', 'spearman', 'massCentreShift', 'ssim', 'labelKept', 'attacked', 'mapAfter', 'logitsAfter']));
    expect(json.random.linf).toBeLessThanOrEqual(json.epsilon + 1.2e-7);
  });

  it('runs the black-box search for LRP and a targeted attack into a box', async () => {
    const lrp = await cli(...base, '--method', 'lrp', '--iterations', '2', '--epsilon', '0.02');
    expect(lrp.code).toBe(0);
    const json = JSON.parse(lrp.out[0]);
    expect(json).toMatchObject({ method: 'lrp', kind: 'black-box', attack: 'topk' });
    expect(json.trace).toHaveLength(2);
    const targeted = await cli(...base, '--method', 'gradient-input', '--attack', 'targeted', '--target-region', '0,0,10,10', '--iterations', '2');
    expect(targeted.code).toBe(0);
    expect(JSON.parse(targeted.out[0])).toMatchObject({ kind: 'gradient', attack: 'targeted', targetRegion: { x0: 0, y0: 0, x1: 10, y1: 10 } });
  });

  it('refuses bad input with a message', async () => {
    const expectError = async (argv: string[], message: string) => {
      const r = await cli(...base, ...argv);
      expect(r.code).toBe(1);
      expect(r.err[0]).toBe(`error: ${message}`);
    };
    await expectError(['--method', 'gradient', '--epsilon', '0'], '--epsilon: ε must be a number greater than 0 and at most 1e+6. Got 0.');
    await expectError(['--method', 'gradient', '--epsilon', '2'], 'ε = 2 is larger than the input range [0, 1] (width 1); an ε-ball that big is no small perturbation.');
    await expectError(['--method', 'gradient', '--attack', 'targeted', '--target-region', '4,4,4,9'],
      'The target region x 4–4, y 4–9 (half-open, in pixels) holds no pixel of the 28 × 28 image; give x0 < x1 and y0 < y1 inside it.');
    await expectError(['--method', 'gradient', '--attack', 'targeted'], '--attack targeted needs --target-region x0,y0,x1,y1 (the box the map should move into).');
    await expectError(['--method', 'gradient', '--attack', 'targeted', '--target-region', '1,2,3'], '--target-region must be four whole numbers x0,y0,x1,y1 (pixels, half-open); got 1,2,3.');
    await expectError(['--method', 'lrp', '--kind', 'gradient'], 'LRP is not differentiable with respect to the input in a way the gradient attack can use (it needs the map as a function of x built from tf.grad); use the black-box attack (kind black-box).');
    const unknown = await cli(...base, '--method', 'saliency');
    expect(unknown.err[0]).toMatch(/^error: Unknown method "saliency"/);
  });
});
