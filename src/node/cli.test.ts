// The CLI in-process: every flag goes through a schema, every error is one `error: …` line on
// stderr with exit code 1, and the three computing commands give the numbers core gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupNodeBackend } from '../core/tf/node';
import { METHODS } from '../core/methods/registry';
import { scoreMoments } from '../core/rde/scoreMoments';
import { verifyDistortion } from '../core/rde/verify';
import { mulberry32 } from '../core/util/random';
import { runCli, type CliDeps } from './cli';
import { PROJECT_ROOT } from './modelFiles';
import { imageInput, inputTensor, openModel } from './studioSession';

const DIGIT_3 = join(PROJECT_ROOT, 'public', 'digits', 'digit-3-0.png');
const DIGIT_7 = join(PROJECT_ROOT, 'public', 'digits', 'digit-7-1.png');
const D = 28 * 28;

let dir: string;
let mnist: ReturnType<typeof openModel>;
/** Models the CLI opened (all but the first load come from the shared one). */
let opened: string[] = [];
const deps: CliDeps = {
  openModel: async (model) => {
    opened.push(model);
    return model === 'mnist' ? mnist : openModel(model);
  },
};

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, deps);
  return { code, out, err };
}

/** Exit code 1, nothing on stdout, and exactly `error: <message>` on stderr. */
async function expectError(argv: string[], message: string): Promise<void> {
  const r = await cli(...argv);
  expect(r.err[0]).toBe(`error: ${message}`);
  expect(r.code).toBe(1);
  expect(r.out).toEqual([]);
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A PNG that is only a signature and an IHDR chunk declaring width x height. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 6, 0, 0, 0], 16);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]);
}

beforeAll(async () => {
  await setupNodeBackend('wasm');
  mnist = openModel('mnist');
  await mnist;
  dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('commands', () => {
  it('predict gives the class of bundled digits', async () => {
    for (const [path, label] of [[DIGIT_3, 3], [DIGIT_7, 7]] as const) {
      const r = await cli('predict', '--model', 'mnist', '--image', path);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.out.join('\n'));
      expect(json.predicted).toBe(label);
      expect(json.probabilities).toHaveLength(10);
    }
  });

  it('explain --method gradient writes a JSON with 784 finite relevances', async () => {
    const out = join(dir, 'map.json');
    const r = await cli('explain', '--model', 'mnist', '--image', DIGIT_3, '--method', 'gradient', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^gradient for class 3 \(predicted 3\): relevance in \[.*; wrote /);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.method).toBe('gradient');
    expect(json.target).toBe(3);
    expect(json.relevance).toHaveLength(D);
    expect(json.relevance.every(Number.isFinite)).toBe(true);
  });

  it('explain --method rde reports D by ADF and, beside it, by Monte Carlo at the mask it returned (what verifyDistortion gives)', async () => {
    const out = join(dir, 'rde.json');
    const r = await cli('explain', '--model', 'mnist', '--image', DIGIT_3, '--method', 'rde', '--iterations', '20', '--seed', '4', '--out', out);
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    const mc = json.extras.distortionMonteCarlo;
    expect(Object.keys(mc).sort()).toEqual(['converged', 'milliseconds', 'rank', 'samples', 'seed', 'standardError', 'value']);
    expect(mc).toMatchObject({ rank: 0, seed: 4, converged: true });
    expect(mc.standardError).toBeLessThanOrEqual(0.02 * mc.value);
    expect(r.out[0]).toContain(`; D ${json.extras.distortion.toPrecision(4)} (optimiser), ${mc.value.toPrecision(4)} ± ${mc.standardError.toPrecision(2)} (Monte Carlo, ${mc.samples} samples)`);
    // Recomputed here from the written mask, same seed: the same number.
    const { net, meta, reference } = await mnist;
    const x = inputTensor(imageInput(DIGIT_3, meta));
    const s = tf.tensor4d(json.relevance, [1, 28, 28, 1]);
    const again = await verifyDistortion(net, x, 3, s, reference!, { rank: 0, seed: 4 });
    expect(again.distortion).toBe(mc.value);
    expect(again.samples).toBe(mc.samples);
    tf.dispose([x, s]);
  }, 60_000);

  it('distortion with a mask file gives what scoreMoments gives, for lowrank and mc', async () => {
    const rand = mulberry32(5);
    const mask = Array.from({ length: D }, () => rand());
    const maskPath = file('mask.json', JSON.stringify(mask));
    const { net, meta, reference } = await mnist;
    const x = inputTensor(imageInput(DIGIT_3, meta));
    const s = tf.tensor4d(mask, [1, 28, 28, 1]);
    for (const [flags, opts] of [
      [['--mode', 'lowrank', '--rank', '10'], { mode: 'lowrank', rank: 10 }],
      [['--mode', 'mc', '--rank', '5', '--samples', '300', '--seed', '4'], { mode: 'mc', rank: 5, samples: 300, seed: 4 }],
    ] as const) {
      const r = await cli('distortion', '--model', 'mnist', '--image', DIGIT_3, '--target', '3', '--s', maskPath, ...flags);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.out.join('\n'));
      const direct = await scoreMoments(net, x, 3, s, reference!, opts);
      expect(Number.isFinite(json.distortion)).toBe(true);
      expect(json.distortion).toBe(direct.distortion);
      expect(json.mean).toBe(direct.mean);
      expect(json.variance).toBe(direct.variance);
      expect(json.target).toBe(3);
    }
    tf.dispose([x, s]);
  });

  it('methods lists every method; help prints the usage', async () => {
    const r = await cli('methods');
    expect(r.code).toBe(0);
    expect(r.out.map((l) => l.split('\t')[0])).toEqual(METHODS.map((m) => m.id));
    const rde = r.out.find((l) => l.startsWith('rde\t'))!;
    expect(rde).toContain('--lambda (λ: must be a number from 0 to 10000; default 0.5:');
    expect(rde).toContain('--regulariser (Rate term: must be one of reference, mean, paper; default reference:');
    expect(rde).toContain('--iterations (Iterations: must be a whole number from 1 to 10000; default 300:');
    const help = await cli('help');
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/^usage: npm run cli -- <command>/);
  });
});

describe('command line', () => {
  it('refuses a missing or unknown command, with the usage after the error', async () => {
    const none = await cli();
    expect(none.code).toBe(1);
    expect(none.err[0]).toBe('error: Name a command: predict, explain, distortion, evaluate, attack, methods.');
    expect(none.err[1]).toMatch(/^usage: /);
    await expectError(['predcit'], 'Unknown command "predcit"; the commands are predict, explain, distortion, evaluate, attack, methods.');
  });

  it('refuses stray words, repeated flags and flags without a value', async () => {
    await expectError(['predict', 'extra', '--model', 'mnist'], 'Unexpected argument extra (flags are written --name value).');
    await expectError(['distortion', '--s', '0.1', '--s', '0.2'], '--s is given twice.');
    await expectError(['explain', '--model', 'mnist', '--image', DIGIT_3, '--method', 'gradient', '--out'], '--out needs a value.');
  });

  it('refuses unknown flags with the list of valid ones, for every command', async () => {
    await expectError(['methods', '--model', 'mnist'], 'methods does not take --model; it takes no flags.');
    await expectError(['predict', '--model', 'mnist', '--image', DIGIT_3, '--target', '3'],
      'predict does not take --target; it takes --model, --image, --backend.');
    await expectError(['explain', '--model', 'mnist', '--image', DIGIT_3, '--method', 'gradient', '--steps', '8'],
      'explain --method gradient does not take --steps; it takes --model, --image, --backend, --method, --target, --seed, --out, --variant.');
    await expectError(['distortion', '--model', 'mnist', '--image', DIGIT_3, '--method', 'rde'],
      'distortion does not take --method; it takes --model, --image, --backend, --target, --mode, --rank, --samples, --seed, --s.');
    await expectError(['distortion', '--verbose'],
      'distortion does not take --verbose; it takes --model, --image, --backend, --target, --mode, --rank, --samples, --seed, --s.');
    await expectError(['distortion', '--constructor', 'x'],
      'distortion does not take --constructor; it takes --model, --image, --backend, --target, --mode, --rank, --samples, --seed, --s.');
  });

  it('requires --model, --image and --method', async () => {
    await expectError(['predict', '--image', DIGIT_3], '--model is required.');
    await expectError(['predict', '--model', 'mnist'], '--image is required.');
    await expectError(['explain', '--model', 'mnist', '--image', DIGIT_3], `--method is required: one of ${METHODS.map((m) => m.id).join(', ')}.`);
    await expectError(['explain', '--model', 'mnist', '--image', DIGIT_3, '--method', 'nope'],
      `Unknown method "nope". Known: ${METHODS.map((m) => m.id).join(', ')}.`);
  });

  it('takes --backend wasm or cpu only', async () => {
    await expectError(['predict', '--model', 'mnist', '--image', DIGIT_3, '--backend', 'webgl'], '--backend must be one of wasm, cpu; got webgl.');
  });
});

describe('explain flags', () => {
  const base = ['explain', '--model', 'mnist', '--image', DIGIT_3, '--method', 'gradient'];

  it('bounds --target by the model\'s classes', async () => {
    for (const t of ['10', '-1', '2.5', 'three']) {
      const rule = t === '10' ? 'from 0 to 9 (mnist has 10 classes)' : 'of at least 0';
      await expectError([...base, '--target', t], `--target must be an integer ${rule}; got ${t}.`);
    }
  });

  it('checks --seed and the method\'s own parameters through their schemas', async () => {
    await expectError([...base, '--seed', '1.5'], '--seed must be an integer from 0 to 4294967295; got 1.5.');
    await expectError([...base, '--variant', 'bogus'],
      'Gradient (sensitivity): parameter variant: variant must be one of raw, absolute, squared.');
    // RDE's flags follow RDE's schema, the bounds the panel and a link use.
    await expectError([...base.slice(0, -2), '--method', 'rde', '--lambda', '20000'],
      'Rate-Distortion Explanation: parameter lambda: λ must be a number from 0 to 10000.');
    await expectError([...base.slice(0, -2), '--method', 'rde', '--regulariser', 'l2'],
      'Rate-Distortion Explanation: parameter regulariser: Rate term must be one of reference, mean, paper.');
  });

  it('checks --out before loading the model', async () => {
    opened = [];
    const missing = join(dir, 'nope', 'map.json');
    await expectError([...base, '--out', missing], `--out ${missing}: the folder ${join(dir, 'nope')} does not exist.`);
    await expectError([...base, '--out', dir], `--out ${dir} is a folder; give a file name.`);
    const plain = file('plain.txt', 'x');
    await expectError([...base, '--out', join(plain, 'map.json')], `--out ${join(plain, 'map.json')}: ${plain} is not a folder.`);
    expect(opened).toEqual([]);
  });
});

describe('distortion flags', () => {
  const base = ['distortion', '--model', 'mnist', '--image', DIGIT_3];

  it('validates --mode, --rank, --samples, --seed and --target through the schema', async () => {
    await expectError([...base, '--mode', 'mc', '--samples', '0'], '--samples must be an integer from 1 to 100000; got 0.');
    await expectError([...base, '--mode', 'mc', '--samples', '1e9'], '--samples must be an integer from 1 to 100000; got 1e9.');
    await expectError([...base, '--target', '99'], '--target must be an integer from 0 to 9 (mnist has 10 classes); got 99.');
    await expectError([...base, '--mode', 'exact'], '--mode must be one of diag, lowrank, lowrank-diag, mc; got exact.');
    await expectError([...base, '--mode', 'lowrank', '--rank', 'abc'], '--rank must be an integer of at least 0; got abc.');
    await expectError([...base, '--mode', 'lowrank', '--rank', '65'],
      '--rank must be an integer from 0 to 64 (the rank of mnist\'s reference distribution); got 65.');
    await expectError([...base, '--mode', 'lowrank', '--rank', '0'], '--rank must be at least 1 for --mode lowrank (rank 0 is --mode diag); got 0.');
    await expectError([...base, '--rank', '5'],
      '--rank applies only to --mode lowrank, lowrank-diag and mc (diag uses no covariance factor); got 5.');
    await expectError([...base, '--samples', '10'], '--samples applies only to --mode mc; got 10.');
    await expectError([...base, '--mode', 'mc', '--seed', '-3'], '--seed must be an integer from 0 to 4294967295; got -3.');
    await expectError([...base, '--s', '1.5'], '--s must be a number in [0, 1] or a mask file; got 1.5.');
  });

  it('names the mask file and what is wrong in it', async () => {
    const missing = join(dir, 'missing.json');
    await expectError([...base, '--s', missing], `Cannot read mask file ${missing}: no such file.`);
    const broken = file('broken.json', '[0.1, 0.2');
    let parseMessage = '';
    try {
      JSON.parse('[0.1, 0.2');
    } catch (err) {
      parseMessage = (err as Error).message;
    }
    await expectError([...base, '--s', broken], `Mask file ${broken} is not valid JSON: ${parseMessage}.`);
    const object = file('object.json', '{"mask": []}');
    await expectError([...base, '--s', object],
      `Mask file ${object} must hold a JSON array of numbers, or an object with such a "relevance" array.`);
    const short = file('short.json', JSON.stringify(Array(10).fill(0.5)));
    await expectError([...base, '--s', short], `Mask file ${short} holds 10 values; the model's input has 784 (28 x 28 x 1).`);
    const nans = file('nans.json', JSON.stringify(Array(D).fill(NaN)));
    await expectError([...base, '--s', nans],
      `Mask file ${nans}: entry 0 is null (JSON writes NaN and Infinity as null); every entry must be a number in [0, 1].`);
    const values = Array(D).fill(0.5);
    values[5] = 1.5;
    const outside = file('outside.json', JSON.stringify({ relevance: values }));
    await expectError([...base, '--s', outside], `Mask file ${outside}: entry 5 is 1.5, outside [0, 1].`);
    values[5] = '0.5';
    const text = file('text.json', JSON.stringify(values));
    await expectError([...base, '--s', text], `Mask file ${text}: entry 5 is "0.5", not a number; every entry must be a number in [0, 1].`);
  });
});

describe('image files', () => {
  const predict = (image: string) => ['predict', '--model', 'mnist', '--image', image];

  it('names a missing, empty, foreign or damaged image file', async () => {
    const missing = join(dir, 'missing.png');
    await expectError(predict(missing), `Cannot read image ${missing}: no such file.`);
    await expectError(predict(dir), `Cannot read image ${dir}: it is a folder.`);
    const empty = file('empty.png', '');
    await expectError(predict(empty), `Image ${empty} is empty.`);
    const jpeg = file('photo.png', Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Array(40).fill(0)]));
    await expectError(predict(jpeg), `Image ${jpeg} is not a PNG (the CLI reads PNG only; convert other formats first).`);
    const truncated = file('truncated.png', pngHeader(28, 28));
    const r = await cli(...predict(truncated));
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(new RegExp(`^error: Image ${truncated} is a damaged PNG: .+\\.$`));
  });

  it('refuses a PNG above 40 megapixels from its header, before loading the model', async () => {
    opened = [];
    const huge = file('huge.png', pngHeader(20000, 20000));
    await expectError(predict(huge),
      `Image ${huge} is 20000 x 20000 pixels (400.0 megapixels); the CLI decodes at most 40 megapixels, so scale it down first.`);
    expect(opened).toEqual([]);
  });
});
