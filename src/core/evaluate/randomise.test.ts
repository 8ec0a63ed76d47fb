import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import { seededInput, smallReluNet } from '../methods/testing/gradientFamilyNets';
import { initialisersOf } from '../net/initialisers';
import { drawInitialiser, fans, randomisedNet, weightLayerNames, weightLayers } from './randomise';
import { netFromLayersModel } from '../net/fromLayersModel';
import { disposeModelBundle } from '../net/modelBundle';
import { openModel } from '../../node/studioSession';

beforeAll(async () => {
  await setupNodeBackend('wasm');
});

const values = (t: tf.Tensor) => t.dataSync() as Float32Array;

/** Every tensor of the net's weight layers, as [layer name, tensor] in layer order. */
function weightTensors(net: Net): Array<[string, tf.Tensor]> {
  return weightLayers(net).reverse().flatMap((l) => [[l.name, l.kernel], ...(l.bias ? [[l.name, l.bias]] : [])] as Array<[string, tf.Tensor]>);
}

function moments(a: Float32Array): { mean: number; variance: number; maxAbs: number } {
  let mean = 0;
  for (const v of a) mean += v / a.length;
  let variance = 0;
  let maxAbs = 0;
  for (const v of a) {
    variance += (v - mean) ** 2 / (a.length - 1);
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  return { mean, variance, maxAbs };
}

describe('randomisedNet on the small conv + dense net', () => {
  it('lists the weight layers top-down', () => {
    const { model, net } = smallReluNet();
    const names = weightLayerNames(net);
    expect(names).toHaveLength(3);
    expect(net.layers.filter((l) => l.kind === 'dense' || l.kind === 'conv2d').map((l) => l.name).reverse()).toEqual(names);
    expect(net.layers.find((l) => l.name === names[2])?.kind).toBe('conv2d');
    model.dispose();
  });

  it('re-draws exactly the top L layers, shares everything else, and leaves the original untouched', () => {
    const { model, net } = smallReluNet();
    const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
    const logitsBefore = Array.from(tf.tidy(() => forwardLogits(net, x).dataSync()));
    const originalValues = weightTensors(net).map(([, t]) => Array.from(values(t)));
    const layersBefore = [...net.layers];
    const names = weightLayerNames(net);
    const before = tf.memory().numTensors;
    for (let count = 0; count <= names.length; count++) {
      const copy = randomisedNet(net, count, 5);
      expect(copy.randomised).toEqual(names.slice(0, count));
      expect(copy.layers).toHaveLength(net.layers.length);
      // Two tensors (kernel, bias) per re-drawn layer; nothing else created.
      expect(copy.owned).toHaveLength(2 * count);
      expect(tf.memory().numTensors).toBe(before + 2 * count);
      copy.layers.forEach((layer, i) => {
        const old = net.layers[i];
        if ((layer.kind === 'dense' || layer.kind === 'conv2d') && copy.randomised.includes(layer.name)) {
          if (old.kind !== layer.kind) throw new Error('kind changed');
          expect(layer).not.toBe(old);
          expect(layer.kernel).not.toBe(old.kernel);
          expect(layer.kernel.shape).toEqual(old.kernel.shape);
          // No weight of a re-drawn kernel equals the trained one (continuous draws).
          const k = values(layer.kernel);
          const ok = values(old.kernel);
          expect(k.every((v, j) => v !== ok[j])).toBe(true);
          // Keras's default bias: zeros (the trained biases are U(−0.3, 0.3), none zero).
          expect(Array.from(values(layer.bias!)).every((v) => v === 0)).toBe(true);
          expect(Array.from(values(old.bias!)).every((v) => v !== 0)).toBe(true);
        } else {
          // Not re-drawn: the very same layer object, hence the same tensors.
          expect(layer).toBe(old);
        }
      });
      const logits = Array.from(tf.tidy(() => forwardLogits(copy, x).dataSync()));
      if (count > 0) expect(logits).not.toEqual(logitsBefore);
      copy.dispose();
      expect(tf.memory().numTensors).toBe(before);
      copy.dispose(); // a second call is harmless
    }
    expect(net.layers).toEqual(layersBefore);
    expect(net.owned).toEqual([]);
    expect(weightTensors(net).map(([, t]) => Array.from(values(t)))).toEqual(originalValues);
    expect(Array.from(tf.tidy(() => forwardLogits(net, x).dataSync()))).toEqual(logitsBefore);
    x.dispose();
    model.dispose();
  });

  it('is deterministic by seed, and a layer gets the same weights whatever the count', () => {
    const { model, net } = smallReluNet();
    const kernels = (copy: Net) => weightLayers(copy).map((l) => Array.from(values(l.kernel)));
    const a = randomisedNet(net, 3, 11);
    const b = randomisedNet(net, 3, 11);
    const c = randomisedNet(net, 3, 12);
    const two = randomisedNet(net, 2, 11);
    expect(kernels(a)).toEqual(kernels(b));
    kernels(c).forEach((k, i) => expect(k).not.toEqual(kernels(a)[i]));
    expect(kernels(two).slice(0, 2)).toEqual(kernels(a).slice(0, 2));
    // Different layers of one draw are not copies of each other's stream (same-shape check via the first values).
    expect(kernels(a)[0].slice(0, 8)).not.toEqual(kernels(a)[1].slice(0, 8));
    for (const copy of [a, b, c, two]) copy.dispose();
    model.dispose();
  });

  it('uses the initialisers given per layer, Keras-serialised or by name', () => {
    const { model, net } = smallReluNet();
    const [top, hidden] = weightLayerNames(net);
    const copy = randomisedNet(net, 2, 3, {
      [top]: { kernel: 'ones', bias: { class_name: 'Constant', config: { value: 0.25 } } },
      [hidden]: { kernel: { class_name: 'RandomUniform', config: { minval: 2, maxval: 3, seed: 99 } } },
    });
    const [k0, k1] = weightLayers(copy);
    expect(Array.from(values(k0.kernel)).every((v) => v === 1)).toBe(true);
    expect(Array.from(values(k0.bias!)).every((v) => v === 0.25)).toBe(true);
    expect(Array.from(values(k1.kernel)).every((v) => v >= 2 && v < 3)).toBe(true);
    expect(Array.from(values(k1.bias!)).every((v) => v === 0)).toBe(true);
    copy.dispose();
    model.dispose();
  });

  it('refuses an unknown initialiser, naming the layer, and frees what it drew', () => {
    const { model, net } = smallReluNet();
    const [top, hidden] = weightLayerNames(net);
    const before = tf.memory().numTensors;
    expect(() => randomisedNet(net, 2, 0, { [hidden]: { kernel: 'orthogonal' } }))
      .toThrow(`Layer "${hidden}" kernel: cannot re-draw with initialiser "orthogonal"; supported: glorotUniform,`);
    expect(() => randomisedNet(net, 1, 0, { [top]: { kernel: { class_name: 'VarianceScaling', config: { mode: 'fan_sideways' } } } }))
      .toThrow(`Layer "${top}" kernel: VarianceScaling mode "fan_sideways" is not fan_in, fan_out or fan_avg.`);
    expect(() => randomisedNet(net, -1, 0)).toThrow('The number of layers to randomise must be a whole number ≥ 0 (got -1).');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('initialiser draws (Keras semantics)', () => {
  // A conv kernel 5×5×32×64: fan_in = 800, fan_out = 1600, n = 51,200 draws. The relative standard
  // error of a sample variance is √((κ − 1)/n) with kurtosis κ ≤ 3 here: ≤ 0.63 % (measured over 20
  // seeds: 0.66 % for the truncated normal, 0.78 % for the normal; seed 1234 is off by −1.2 % and
  // −0.9 %). We allow 3 % (about 4 standard errors); the mean within 5 standard errors σ/√n.
  const shape = [5, 5, 32, 64];
  const n = 51200;
  const fanIn = 800;
  const fanOut = 1600;

  it('computes Keras fans for dense, conv and bias shapes', () => {
    expect(fans(shape)).toEqual({ fanIn, fanOut });
    expect(fans([3136, 1024])).toEqual({ fanIn: 3136, fanOut: 1024 });
    expect(fans([10])).toEqual({ fanIn: 10, fanOut: 10 });
  });

  const cases: Array<{ spec: string; variance: number; bound: number }> = [
    // Uniform on ±√(3·scale/n): glorot n = (fan_in + fan_out)/2, so bound √(6/(fan_in + fan_out)).
    { spec: 'glorotUniform', variance: 2 / (fanIn + fanOut), bound: Math.sqrt(6 / (fanIn + fanOut)) },
    { spec: 'he_uniform', variance: 2 / fanIn, bound: Math.sqrt(6 / fanIn) },
    { spec: 'LecunUniform', variance: 1 / fanIn, bound: Math.sqrt(3 / fanIn) },
    // Truncated normals: σ' = √variance / 0.8796 cut at ±2σ'.
    { spec: 'glorotNormal', variance: 2 / (fanIn + fanOut), bound: (2 * Math.sqrt(2 / (fanIn + fanOut))) / 0.87962566103423978 },
    { spec: 'heNormal', variance: 2 / fanIn, bound: (2 * Math.sqrt(2 / fanIn)) / 0.87962566103423978 },
    { spec: 'lecunNormal', variance: 1 / fanIn, bound: (2 * Math.sqrt(1 / fanIn)) / 0.87962566103423978 },
    // Defaults: U(−0.05, 0.05); N(0, 0.05²) truncated at ±0.1 (variance 0.7737·0.05²); N(0, 0.05²).
    { spec: 'randomUniform', variance: 0.1 ** 2 / 12, bound: 0.05 },
    { spec: 'truncatedNormal', variance: 0.7737413 * 0.05 ** 2, bound: 0.1 },
    { spec: 'randomNormal', variance: 0.05 ** 2, bound: Infinity },
  ];
  for (const { spec, variance, bound } of cases) {
    it(`${spec}: mean 0, variance ${variance.toExponential(3)} within 3 %, |w| ≤ ${bound.toPrecision(4)}`, () => {
      const t = drawInitialiser(spec, shape, 1234);
      const m = moments(values(t));
      t.dispose();
      expect(Math.abs(m.mean)).toBeLessThan(5 * Math.sqrt(variance / n));
      expect(Math.abs(m.variance / variance - 1)).toBeLessThan(0.03);
      expect(m.maxAbs).toBeLessThanOrEqual(Math.fround(bound));
      // The draws reach near their bound (uniform) or well past 3σ (normal): not a narrower law.
      if (Number.isFinite(bound) && !spec.toLowerCase().includes('normal')) expect(m.maxAbs).toBeGreaterThan(0.999 * bound);
    });
  }

  it('reads model.json\'s VarianceScaling like the named initialiser, ignoring its seed', () => {
    const named = drawInitialiser('glorotUniform', shape, 7);
    const serialised = drawInitialiser({ class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: 3 } }, shape, 7);
    expect(Array.from(values(serialised))).toEqual(Array.from(values(named)));
    const again = drawInitialiser('glorot_uniform', shape, 7);
    expect(Array.from(values(again))).toEqual(Array.from(values(named)));
    const other = drawInitialiser('glorotUniform', shape, 8);
    expect(Array.from(values(other))).not.toEqual(Array.from(values(named)));
    for (const t of [named, serialised, again, other]) t.dispose();
  });

  it('fills zeros, ones and constants', () => {
    for (const [spec, value] of [['zeros', 0], ['Ones', 1], [{ className: 'Constant', config: { value: -0.5 } }, -0.5]] as const) {
      const t = drawInitialiser(spec, [4, 3], 0);
      expect(Array.from(values(t))).toEqual(new Array(12).fill(value));
      t.dispose();
    }
  });
});

describe('initialisersOf', () => {
  it('reads each layer\'s kernel and bias initialisers from the topology, by the names the IR uses, and the cascade re-draws with them', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [3, 3, 1], name: 'flat' }),
        tf.layers.dense({ units: 4, activation: 'relu', kernelInitializer: 'heNormal', biasInitializer: 'ones', name: 'hidden' }),
        tf.layers.dense({ units: 2, name: 'out' }),
      ],
    });
    const init = initialisersOf(model.toJSON(null, false));
    expect(Object.keys(init).sort()).toEqual(['hidden', 'out']);
    // model.json's form: Keras's snake case.
    expect(init.hidden.kernel).toMatchObject({ class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'normal' } });
    expect(init.hidden.bias).toMatchObject({ class_name: 'Ones' });
    // tfjs-layers' own default for a dense kernel is Glorot *normal* (Keras's is uniform): the topology says so.
    expect(init.out.kernel).toMatchObject({ class_name: 'VarianceScaling', config: { mode: 'fan_avg', distribution: 'normal' } });
    const net = netFromLayersModel(model);
    expect(weightLayerNames(net).every((n) => n in init)).toBe(true);
    // Both layers re-drawn with the config's initialisers: the hidden bias comes back as ones.
    const r = randomisedNet(net, 2, 5, init);
    const hidden = r.layers.find((l) => l.name === 'hidden' && l.kind === 'dense');
    expect(hidden && hidden.kind === 'dense' ? Array.from(await hidden.bias!.data()) : null).toEqual([1, 1, 1, 1]);
    r.dispose();
    model.dispose();
  });

  it('a loaded model keeps the initialisers its model.json states, though the loader builds it with zeros', async () => {
    const { net, layersModel, initialisers } = await openModel('mnist');
    try {
      // The built model's own config says Zeros (the loader's shortcut); the bundle's initialisers are the file's.
      expect((layersModel.getLayer('logits').getConfig().kernelInitializer as { className: string }).className).toBe('Zeros');
      for (const name of weightLayerNames(net)) {
        expect(initialisers[name].kernel).toMatchObject({ class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform' } });
        expect(initialisers[name].bias).toMatchObject({ class_name: 'Zeros' });
      }
      // Re-drawn from them, the top kernel is Glorot uniform on the 1024 x 10 kernel: |w| ≤ √(6 / 1034), variance 2 / 1034.
      const r = randomisedNet(net, 1, 0, initialisers);
      const top = r.layers.find((l) => l.name === 'logits');
      const w = top && top.kind === 'dense' ? Array.from(await top.kernel.data()) : [];
      expect(w).toHaveLength(10240);
      const limit = Math.sqrt(6 / 1034);
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
      const variance = w.reduce((a, v) => a + v * v, 0) / w.length;
      // 10240 draws: the sample variance's relative s.e. is √(0.8/10240) ≈ 0.9 %; 5 % is > 5 s.e.
      expect(Math.abs(variance / (2 / 1034) - 1)).toBeLessThan(0.05);
      r.dispose();
    } finally {
      disposeModelBundle({ net, model: layersModel });
    }
  });
});
