import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../../tf/node';
import { netFromLayersModel } from '../../net/fromLayersModel';
import { mulberry32 } from '../../util/random';
import { getMethod, methodAvailability, parseMethodParams } from '../registry';
import { COMPOSITE_IDS } from './composites';
import { deepTaylorMethod } from './deepTaylor';
import { lrpMethod } from './lrp';
import { parseRuleOverrides } from './ruleAssignment';
import { seededConvNet } from './testing/lrpNets';

const DEFAULTS = lrpMethod.params.parse({});

function input(seed: number, batch = 1): tf.Tensor4D {
  const rand = mulberry32(seed);
  return tf.tensor4d(Float32Array.from({ length: batch * 144 }, () => rand()), [batch, 12, 12, 1]);
}

describe('LRP and Deep Taylor: registry, parameters and rule overrides', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('are registered as propagation methods with Zennit-like defaults', () => {
    expect(getMethod('lrp')).toBe(lrpMethod);
    expect(getMethod('deep-taylor')).toBe(deepTaylorMethod);
    expect(DEFAULTS).toEqual({ composite: 'epsilon-gamma-box', epsilon: 1e-6, gamma: 0.25, low: 0, high: 1, rules: '' });
    expect(deepTaylorMethod.params.parse({})).toEqual({ low: 0, high: 1 });
    for (const m of [lrpMethod, deepTaylorMethod]) {
      expect(m.requires).toBe('propagation');
      for (const [key, field] of Object.entries(m.params.shape)) expect(field.description, key).toBeTruthy();
    }
  });

  it('parses CLI strings: composite, numbers and the overrides string', () => {
    const p = parseMethodParams(lrpMethod, { composite: 'preset-a-flat', epsilon: '0.01', rules: 'conv1=gamma(0.5),dense2=alphabeta(3,2)' });
    expect(p).toEqual({ ...DEFAULTS, composite: 'preset-a-flat', epsilon: 0.01, rules: 'conv1=gamma(0.5),dense2=alphabeta(3,2)' });
    expect(() => parseMethodParams(lrpMethod, { composite: 'preset-c' })).toThrow(/parameter composite/);
    expect(() => parseMethodParams(lrpMethod, { epsilon: '0' })).toThrow(/parameter epsilon/);
  });

  it('splits overrides at top-level commas only', () => {
    expect([...parseRuleOverrides(' conv1 = alphabeta(2, 1) , dense2=epsilon(0.01) ')]).toEqual([
      ['conv1', 'alphabeta(2, 1)'], ['dense2', 'epsilon(0.01)'],
    ]);
    expect(parseRuleOverrides('').size).toBe(0);
    expect(() => parseRuleOverrides('conv1')).toThrow(/not of the form layerName=rule/);
    expect(() => parseRuleOverrides('conv1=flat,conv1=zplus')).toThrow(/two rule overrides/);
  });

  it('applies overrides by layer name and reports the rules used', async () => {
    const { model, net } = seededConvNet(false);
    const x = input(1);
    const e = await lrpMethod.explain(net, x, 0, { ...DEFAULTS, composite: 'preset-b-flat', rules: 'conv2=zplus,dense2=epsilon(0.5)' }, {});
    expect(e.extras!.rules).toEqual({ conv1: 'flat', conv2: 'zplus', dense1: 'epsilon(0.000001)', dense2: 'epsilon(0.5)' });
    x.dispose();
    model.dispose();
  });

  it('gives an unfolded batch norm (channelAffine) the dense rule: ε under epsilon-plus, zᴮ when it comes first', async () => {
    const bnModel = tf.sequential({
      layers: [
        tf.layers.batchNormalization({ inputShape: [2, 2, 1], name: 'bn' }),
        tf.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu', name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const net = netFromLayersModel(bnModel);
    expect(net.layers[0].kind).toBe('channelAffine');
    const x = tf.tensor4d([0.1, 0.5, 0.9, 0.3], [1, 2, 2, 1]);
    const plus = await lrpMethod.explain(net, x, 0, { ...DEFAULTS, composite: 'epsilon-plus' }, {});
    expect(plus.extras!.rules).toEqual({ bn: 'epsilon(0.000001)', conv: 'zplus', out: 'epsilon(0.000001)' });
    const box = await lrpMethod.explain(net, x, 0, DEFAULTS, {});
    expect(box.extras!.rules).toEqual({ bn: 'zbox(0,1)', conv: 'gamma(0.25)', out: 'epsilon(0.000001)' });
    for (const e of [plus, box]) expect(e.relevance.every(Number.isFinite)).toBe(true);
    x.dispose();
    bnModel.dispose();
  });

  it('rejects bad overrides with errors that name the layer or rule, and leaks nothing', async () => {
    const { model, net } = seededConvNet(false);
    const x = input(1);
    const before = tf.memory().numTensors;
    const run = (rules: string) => lrpMethod.explain(net, x, 0, { ...DEFAULTS, rules }, {});
    await expect(run('conv9=flat')).rejects.toThrow('Rule override for unknown layer "conv9". Layers that take rules: conv1, conv2, dense1, dense2.');
    await expect(run('max=flat')).rejects.toThrow('Layer "max" is a maxPool layer, whose propagation is fixed');
    await expect(run('conv1=gama(0.2)')).rejects.toThrow(/Unknown LRP rule "gama\(0.2\)". Known: zero, epsilon\(ε\), gamma\(γ\)/);
    await expect(run('conv1=zplus(1)')).rejects.toThrow('LRP rule "zplus(1)" takes no arguments: zplus.');
    await expect(run('conv1=gamma(1,2)')).rejects.toThrow('takes 1 number(s): gamma(γ)');
    await expect(run('conv1=alphabeta(2,2)')).rejects.toThrow('needs β ≥ 0 and α − β = 1');
    await expect(run('conv1=zbox(1,0)')).rejects.toThrow('needs low < high');
    await expect(run('conv1=epsilon(0)')).rejects.toThrow('ε must be > 0 (for LRP-0 use the rule "zero")');
    await expect(run('conv1=gamma(-1)')).rejects.toThrow('gamma(-1): the value must be ≥ 0.');
    await expect(deepTaylorMethod.explain(net, x, 0, { low: 1, high: 1 }, {})).rejects.toThrow('low < high');
    await expect(lrpMethod.explain(net, x, 3, DEFAULTS, {})).rejects.toThrow('Target class 3 is outside 0..2.');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

describe('LRP on layers it cannot propagate through', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('names a tanh layer; methodAvailability names an opaque one', async () => {
    const tanhModel = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [2, 2, 1] }),
        tf.layers.dense({ units: 3, activation: 'tanh', name: 'hidden' }),
        tf.layers.dense({ units: 2, name: 'out' }),
      ],
    });
    const net = netFromLayersModel(tanhModel);
    const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    await expect(lrpMethod.explain(net, x, 0, DEFAULTS, {})).rejects.toThrow(
      'LRP cannot propagate relevance through layer "hidden/tanh" (a tanh activation)',
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(methodAvailability(lrpMethod, net)).toEqual({ ok: true });

    const opaqueModel = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 2, name: 'out' }), tf.layers.layerNormalization({ name: 'ln' })],
    });
    const opaqueNet = netFromLayersModel(opaqueModel);
    const availability = methodAvailability(deepTaylorMethod, opaqueNet);
    expect(availability.ok).toBe(false);
    await expect(deepTaylorMethod.explain(opaqueNet, x, 0, { low: 0, high: 1 }, {})).rejects.toThrow('layer "ln" (LayerNormalization');
    x.dispose();
    tanhModel.dispose();
    opaqueModel.dispose();
  });
});

describe('LRP runs: memory, progress, cancellation, batches', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('leaves no tensors behind for any composite or Deep Taylor, with biases', async () => {
    const { model, net } = seededConvNet(true);
    const x = input(2);
    for (const composite of COMPOSITE_IDS) {
      const before = tf.memory().numTensors;
      const e = await lrpMethod.explain(net, x, 1, { ...DEFAULTS, composite }, {});
      expect(tf.memory().numTensors, composite).toBe(before);
      expect(e.relevance.every(Number.isFinite), composite).toBe(true);
    }
    const before = tf.memory().numTensors;
    await deepTaylorMethod.explain(net, x, 1, { low: 0, high: 1 }, {});
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('reports progress once per layer, ending at 1, and stops mid-sweep when aborted', async () => {
    const { model, net } = seededConvNet(false);
    const x = input(3);
    const progress: number[] = [];
    await lrpMethod.explain(net, x, 0, DEFAULTS, { onProgress: (f) => progress.push(f) });
    expect(progress).toHaveLength(net.layers.length);
    expect(progress[progress.length - 1]).toBe(1);
    expect(progress.every((f, i) => i === 0 || f > progress[i - 1])).toBe(true);

    const controller = new AbortController();
    const seen: number[] = [];
    const before = tf.memory().numTensors;
    const run = lrpMethod.explain(net, x, 0, DEFAULTS, {
      signal: controller.signal,
      onProgress: (f) => {
        seen.push(f);
        controller.abort();
      },
    });
    await expect(run).rejects.toThrow('The run was cancelled.');
    expect(seen).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('explains a batch per input, the check summing inputs and logits, passes counted per input', async () => {
    const { model, net } = seededConvNet(true);
    const batch = input(4, 2);
    const second = tf.tensor4d(batch.dataSync().slice(144), [1, 12, 12, 1]);
    const both = await lrpMethod.explain(net, batch, 2, DEFAULTS, {});
    const one = await lrpMethod.explain(net, second, 2, DEFAULTS, {});
    expect(both.shape).toEqual([2, 12, 12, 1]);
    both.relevance.subarray(144).forEach((v, i) => expect(v).toBeCloseTo(one.relevance[i], 6));
    expect(both.passes).toEqual({ forward: 2, backward: 2 });
    expect(one.passes).toEqual({ forward: 1, backward: 1 });
    const first = tf.slice(batch, [0], [1]);
    const firstOnly = await lrpMethod.explain(net, first, 2, DEFAULTS, {});
    expect(both.check!.expected).toBeCloseTo(firstOnly.check!.expected + one.check!.expected, 5);
    expect(both.check!.sum).toBeCloseTo(firstOnly.check!.sum + one.check!.sum, 5);
    tf.dispose([batch, first, second]);
    model.dispose();
  });
});
