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
] as unknown as Method[];

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

/** Validates raw parameter values (strings from the CLI or URL, or typed from the UI). */
export function parseMethodParams(method: Method, raw: Record<string, unknown>): z.infer<Method['params']> {
  const coerced: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') coerced[key] = value;
    else if (value === 'true' || value === 'false') coerced[key] = value === 'true';
    else if (value.trim() !== '' && Number.isFinite(Number(value))) coerced[key] = Number(value);
    else coerced[key] = value;
  }
  const known = Object.keys(method.params.shape);
  const unknown = Object.keys(coerced).filter((k) => !known.includes(k));
  if (unknown.length) {
    throw new Error(`${method.label} has no parameter ${unknown.join(', ')}; it takes: ${known.join(', ') || 'none'}.`);
  }
  const parsed = method.params.safeParse(coerced);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${method.label}: parameter ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
