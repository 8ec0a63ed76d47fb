// Checks a value typed into a parameter form against the method's descriptor, so a bad value is
// refused beside its field before anything is sent. The worker validates again with the zod
// schema itself (registry.parseMethodParams); this is the same rule, stated for the form.
import type { ParamDescriptor } from '../worker/protocol';

export type ParamValue = number | string | boolean;
export type ParamInput = { ok: true; value: ParamValue } | { ok: false; problem: string };

function formatBound(v: number): string {
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential() : String(v);
}

/** "from 1 to 4096", "greater than 0 and at most 1e+6", "at least 0": the allowed range in words. */
export function rangeText(d: Extract<ParamDescriptor, { kind: 'number' | 'integer' }>): string {
  const low = d.min === undefined ? null : d.minExclusive ? `greater than ${formatBound(d.min)}` : `at least ${formatBound(d.min)}`;
  const high = d.max === undefined ? null : d.maxExclusive ? `less than ${formatBound(d.max)}` : `at most ${formatBound(d.max)}`;
  if (d.min !== undefined && d.max !== undefined && !d.minExclusive && !d.maxExclusive) return `from ${formatBound(d.min)} to ${formatBound(d.max)}`;
  return [low, high].filter((t) => t !== null).join(' and ');
}

export function parseParamInput(d: ParamDescriptor, raw: string | boolean): ParamInput {
  switch (d.kind) {
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      return raw === 'true' || raw === 'false' ? { ok: true, value: raw === 'true' } : { ok: false, problem: `${d.name} must be on or off.` };
    case 'enum':
      return d.options.includes(String(raw)) ? { ok: true, value: String(raw) }
        : { ok: false, problem: `${d.name} must be one of ${d.options.join(', ')}.` };
    case 'string':
      return { ok: true, value: String(raw) };
    case 'number':
    case 'integer': {
      const text = String(raw).trim();
      const v = Number(text);
      const range = rangeText(d);
      const expected = `${d.name} must be ${d.kind === 'integer' ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''}.`;
      if (text === '' || !Number.isFinite(v)) return { ok: false, problem: expected };
      if (d.kind === 'integer' && !Number.isInteger(v)) return { ok: false, problem: expected };
      const belowMin = d.min !== undefined && (d.minExclusive ? v <= d.min : v < d.min);
      const aboveMax = d.max !== undefined && (d.maxExclusive ? v >= d.max : v > d.max);
      return belowMin || aboveMax ? { ok: false, problem: expected } : { ok: true, value: v };
    }
  }
}

/** The value a field shows: the edited one, else the default. */
export function paramValue(d: ParamDescriptor, edited: Record<string, unknown> | undefined): ParamValue {
  const v = edited?.[d.name];
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : d.default;
}
