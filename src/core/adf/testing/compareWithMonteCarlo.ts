import * as tf from '@tensorflow/tfjs';
import type { AdfMode, Moments } from '../moments';
import { marginalVariance, momentTensors } from '../moments';
import { empiricalMoments, type GaussianSpec } from './monteCarlo';
import { randomSpec, specMoments } from './randomGaussians';

/** How far ADF moments are from Monte Carlo, per output unit, over the whole batch. */
export interface Discrepancy {
  /** Largest |ADF − MC| in MC standard errors, for mean, variance and factor (0 in diag mode). */
  meanZ: number;
  varianceZ: number;
  factorZ: number;
  /** Largest |Δmean|/sd and |Δvariance|/variance (the size of an approximation's error). */
  meanRel: number;
  varianceRel: number;
  /** Σ ADF variance / Σ MC variance over all units (below 1: variance underestimated). */
  varianceRatio: number;
  /** Largest (ADF − MC)/SE of the variance: how far any unit is overestimated. */
  varianceExcessZ: number;
  units: number;
}

/**
 * Pushes a batch of random Gaussians (of the kind `mode` represents exactly) through `adf`
 * and, sample by sample, through `forward`, and compares.
 */
export function compareWithMonteCarlo(
  unitShape: number[], mode: AdfMode, adf: (m: Moments) => Moments, forward: (y: tf.Tensor) => tf.Tensor,
  opts: { batch?: number; samples: number; seed: number; meanScale?: number },
): Discrepancy {
  const specs: GaussianSpec[] = Array.from({ length: opts.batch ?? 2 }, (_, i) =>
    randomSpec(unitShape, mode, opts.seed + 7919 * i, opts.meanScale));
  const [mean, variance, factor] = tf.tidy(() => {
    const input = specMoments(specs, mode);
    const out = adf(input);
    const flat = (t: tf.Tensor) => tf.reshape(t, [t.shape[0], -1]).arraySync() as number[][];
    const result = [flat(out.mean), flat(marginalVariance(out)), out.mode === 'diag' ? [] : flat(out.factor)];
    tf.dispose([...momentTensors(input), ...momentTensors(out)]);
    return result;
  });
  const d: Discrepancy = {
    meanZ: 0, varianceZ: 0, factorZ: 0, meanRel: 0, varianceRel: 0, varianceRatio: 0, varianceExcessZ: -Infinity, units: 0,
  };
  let adfTotal = 0;
  let mcTotal = 0;
  specs.forEach((spec, b) => {
    const mc = empiricalMoments(spec, forward, opts.samples, opts.seed + 104729 * (b + 1));
    const units = mc.mean.length;
    d.units += units;
    for (let i = 0; i < units; i++) {
      const dm = mean[b][i] - mc.mean[i];
      const dv = variance[b][i] - mc.variance[i];
      d.meanZ = Math.max(d.meanZ, Math.abs(dm) / mc.meanError[i]);
      d.varianceZ = Math.max(d.varianceZ, Math.abs(dv) / mc.varianceError[i]);
      d.varianceExcessZ = Math.max(d.varianceExcessZ, dv / mc.varianceError[i]);
      d.meanRel = Math.max(d.meanRel, Math.abs(dm) / Math.sqrt(mc.variance[i]));
      d.varianceRel = Math.max(d.varianceRel, Math.abs(dv) / mc.variance[i]);
      adfTotal += variance[b][i];
      mcTotal += mc.variance[i];
    }
    for (let j = 0; j < mc.cross.length; j++) {
      d.factorZ = Math.max(d.factorZ, Math.abs(factor[b][j] - mc.cross[j]) / mc.crossError[j]);
    }
  });
  d.varianceRatio = adfTotal / mcTotal;
  return d;
}
