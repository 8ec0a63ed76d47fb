import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../../tf/node';
import { forwardLogits } from '../../net/forward';
import { lrpMethod } from './lrp';
import { convDenseFixtureNet, maxPoolNet, twoLayerDense } from './testing/lrpNets';

interface DenseCase { name: string; W1: number[][]; W2: number[][]; x: number[]; output?: number; rules: Record<string, string>; expected: number[]; tolerance: number }
interface ConvCase { conv_bias: number[]; fc_bias: number[]; x_4x4: number[][]; target: number; logits: number[]; expected_epsilon_4x4: number[][]; tolerance: number }
interface PoolCase { x_2x2: number[][]; expected: number[][]; tolerance: number }

const cases = (JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../fixtures/lrp.json', import.meta.url)), 'utf8'),
) as { cases: unknown[] }).cases;
const [epsilonCase, alphaBetaCase, gammaCase] = cases.slice(0, 3) as DenseCase[];
const convCase = cases[3] as ConvCase;
const poolCase = cases[4] as PoolCase;

/** fc_rows of case 4: "4 outputs, each row [1,1,1,1,1,-1,-1,-1]". */
const FC_ROW = [1, 1, 1, 1, 1, -1, -1, -1];

// ε for the fixtures' "epsilon" rule: the expected maps are exact LRP-0 values (108·x_i·2·3/108…);
// ε = 1e-9 against z ≥ 4 shifts them by < 1e-9 relative, far below the fixtures' 1e-4.
const EPSILON = 1e-9;

async function denseCase(c: DenseCase, composite: 'epsilon' | 'alpha1beta0' | 'gamma', rules: string) {
  const { model, net } = twoLayerDense(c.W1, c.W2);
  const x = tf.tensor4d(c.x, [1, 1, 1, c.x.length]);
  const e = await lrpMethod.explain(net, x, 0, { composite, epsilon: EPSILON, gamma: 0.25, low: 0, high: 1, rules }, {});
  x.dispose();
  model.dispose();
  return e;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`LRP on fixtures/lrp.json (${backend})`, () => {
    it(`${epsilonCase.name}: (18, 36, 54), Σ = output 108`, async () => {
      await setupNodeBackend(backend);
      const e = await denseCase(epsilonCase, 'epsilon', '');
      expect(e.shape).toEqual([1, 1, 1, 3]);
      e.relevance.forEach((v, i) => expect(Math.abs(v - epsilonCase.expected[i])).toBeLessThan(epsilonCase.tolerance));
      expect(e.check).toEqual({ axiom: 'conservation', sum: expect.closeTo(108, 3), expected: 108 });
    });

    it(`${alphaBetaCase.name}: (12, 33.6, 50.4)`, async () => {
      await setupNodeBackend(backend);
      const e = await denseCase(alphaBetaCase, 'alpha1beta0', '');
      e.relevance.forEach((v, i) => expect(Math.abs(v - alphaBetaCase.expected[i])).toBeLessThan(alphaBetaCase.tolerance));
      expect(e.check?.expected).toBe(alphaBetaCase.output);
    });

    it(`${gammaCase.name}: layer1 gamma(1.0), layer2 gamma(0.25) as per-layer overrides`, async () => {
      await setupNodeBackend(backend);
      const rules = Object.entries(gammaCase.rules).map(([layer, rule]) => `${layer}=${rule}`).join(',');
      expect(rules).toBe('layer1=gamma(1.0),layer2=gamma(0.25)');
      // The composite (ε everywhere) is overridden on both layers, so only the overrides act.
      const e = await denseCase(gammaCase, 'epsilon', rules);
      e.relevance.forEach((v, i) => expect(Math.abs(v - gammaCase.expected[i])).toBeLessThan(gammaCase.tolerance));
      expect(e.extras?.rules).toEqual({ layer1: 'gamma(1)', layer2: 'gamma(0.25)' });
    });

    it('one conv, then dense, epsilon: logits 54 and the fixture map', async () => {
      await setupNodeBackend(backend);
      const { model, net } = convDenseFixtureNet(convCase.conv_bias, [FC_ROW, FC_ROW, FC_ROW, FC_ROW], convCase.fc_bias);
      const x = tf.tensor4d(convCase.x_4x4.flat(), [1, 4, 4, 1]);
      const logits = tf.tidy(() => forwardLogits(net, x).dataSync());
      expect(Array.from(logits)).toEqual(convCase.logits);
      const e = await lrpMethod.explain(net, x, convCase.target, { composite: 'epsilon', epsilon: EPSILON, gamma: 0.25, low: 0, high: 1, rules: '' }, {});
      const expected = convCase.expected_epsilon_4x4.flat();
      e.relevance.forEach((v, i) => expect(Math.abs(v - expected[i]), `pixel ${i}`).toBeLessThan(convCase.tolerance));
      // The biases take their share: an active conv unit k hands on R_k·(z_k − b_k)/z_k, i.e. the
      // Σx of its window. Channel 1's windows (1,0), (1,1) (R = −z) cancel channel 0's, so the
      // input keeps window (0,1), whose pixels sum to 54: Σ R = logit, exactly, on this case.
      expect(e.check?.expected).toBe(54);
      expect(e.check?.sum).toBeCloseTo(54, 3);
      x.dispose();
      model.dispose();
    });

    it('max pooling passes relevance to the winner', async () => {
      await setupNodeBackend(backend);
      const { model, net } = maxPoolNet();
      const x = tf.tensor4d(poolCase.x_2x2.flat(), [1, 2, 2, 1]);
      const e = await lrpMethod.explain(net, x, 0, { composite: 'epsilon', epsilon: EPSILON, gamma: 0.25, low: 0, high: 1, rules: '' }, {});
      const expected = poolCase.expected.flat();
      e.relevance.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(poolCase.tolerance));
      x.dispose();
      model.dispose();
    });
  });
}
