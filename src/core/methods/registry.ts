import type { z } from 'zod';
import type { Net } from '../net/ir';
import { gradientMethod } from './gradient';
import { gradientInputMethod } from './gradientInput';
import { smoothgradMethod } from './smoothgrad';
import { integratedGradientsMethod } from './integratedGradients';
import { deconvnetMethod, guidedBackpropMethod } from './guidedBackprop';
import { rdeMethod } from '../rde/rde';
import { deepTaylorMethod, lrpMethod } from './lrp';
import { kernelShapMethod, limeMethod, occlusionMethod, shapleyExactMethod, shapleySamplingMethod } from './shapley';
import type { Method } from './types';
import { checkParams } from './params';

/** Every explanation method, in the order the studio lists them. New methods register here. */
export const METHODS: Method[] = [
  gradientMethod,
  gradientInputMethod,
  smoothgradMethod,
  integratedGradientsMethod,
  guidedBackpropMethod,
  deconvnetMethod,
  lrpMethod,
  deepTaylorMethod,
  rdeMethod,
  shapleyExactMethod,
  shapleySamplingMethod,
  kernelShapMethod,
  limeMethod,
  occlusionMethod,
];

export function getMethod(id: string): Method {
  const m = METHODS.find((method) => method.id === id);
  if (!m) throw new Error(`Unknown method "${id}". Known: ${METHODS.map((x) => x.id).join(', ')}.`);
  return m;
}

/** Whether a method can run on a network, and if not, why (names the layers in the way). */
export function methodAvailability(method: Method, net: Net): { ok: true } | { ok: false; reason: string } {
  if (method.requires === 'gradient' || net.unsupported.length === 0) return { ok: true };
  const names = net.unsupported.map((u) => `${u.name} (${u.className})`).join(', ');
  return { ok: false, reason: `${method.label} needs every layer in the network IR; not expressible: ${names}.` };
}

/**
 * Validates raw parameter values (text from the CLI or a link, or typed from the UI) through the
 * descriptors derived from the method's schema (core/methods/params.ts): one message per rule,
 * the same on every surface. The first problem refuses the whole set.
 */
export function parseMethodParams(method: Method, raw: Record<string, unknown>): z.infer<Method['params']> {
  const { values, problems, unknown } = checkParams(method.params, raw);
  const known = Object.keys(method.params.shape);
  if (unknown.length) {
    throw new Error(`${method.label} has no parameter ${unknown.join(', ')}; it takes: ${known.join(', ') || 'none'}.`);
  }
  if (problems.length) {
    const name = Object.keys(raw).find((k) => raw[k] !== undefined && !(k in values)) ?? '';
    throw new Error(`${method.label}: parameter ${name}: ${problems[0]}`);
  }
  const parsed = method.params.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${method.label}: parameter ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
