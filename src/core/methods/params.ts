// A method's parameters are declared once, as its zod schema (core/methods/types.ts). Everything
// else a user meets is derived here from that schema: the form fields (label, help, bounds,
// options, default), the check of a typed or linked value with its message, and the parsing of
// text (CLI flags, URL values). The panel, the comparison cards, the URL and the CLI all use it,
// so a bound or a default cannot differ between them.
import { z } from 'zod';

/**
 * What a schema field may carry besides its type, bounds and default, via `.meta({...})`:
 * `title` (the label on screen; default: the field's name), `description` (the help text) and,
 * for enums, `optionLabels` (what each option reads as).
 */
export interface ParamMeta {
  title?: string;
  description?: string;
  optionLabels?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * One parameter as a form, a link or a flag needs it: its kind, default, bounds (exclusive where
 * the schema says so, e.g. ε > 0) or options, label and help.
 */
export type ParamDescriptor = { name: string; label: string; description: string } & (
  | { kind: 'number' | 'integer'; default: number; min?: number; minExclusive?: boolean; max?: number; maxExclusive?: boolean }
  | { kind: 'enum'; default: string; options: string[]; optionLabels?: Record<string, string> }
  | { kind: 'boolean'; default: boolean }
  | { kind: 'string'; default: string }
);

export type NumericDescriptor = Extract<ParamDescriptor, { kind: 'number' | 'integer' }>;

export type ParamValue = number | string | boolean;
export type ParamInput = { ok: true; value: ParamValue } | { ok: false; problem: string };

/**
 * The descriptors of a flat schema, read from the JSON Schema zod derives from it. Every field
 * has a default (core/methods/types.ts), so a property maps to one descriptor.
 */
export function paramDescriptors(schema: z.ZodObject): ParamDescriptor[] {
  const properties = z.toJSONSchema(schema, { io: 'input' }).properties ?? {};
  return Object.entries(properties).map(([name, property]): ParamDescriptor => {
    const p = (typeof property === 'object' ? property : {}) as Record<string, unknown> & z.core.JSONSchema.BaseSchema;
    const label = typeof p.title === 'string' ? p.title : name;
    const description = p.description ?? '';
    if (p.enum) {
      const optionLabels = p.optionLabels as Record<string, string> | undefined;
      return { name, label, description, kind: 'enum', default: String(p.default), options: p.enum.map(String), ...(optionLabels ? { optionLabels } : {}) };
    }
    if (p.type === 'boolean') return { name, label, description, kind: 'boolean', default: p.default === true };
    if (p.type === 'number' || p.type === 'integer') {
      const bound = (inclusive: unknown, exclusive: unknown) => typeof exclusive === 'number' ? { value: exclusive, exclusive: true }
        : typeof inclusive === 'number' ? { value: inclusive, exclusive: false } : null;
      const min = bound(p.minimum, p.exclusiveMinimum);
      const max = bound(p.maximum, p.exclusiveMaximum);
      return {
        name, label, description, kind: p.type, default: Number(p.default),
        ...(min ? { min: min.value, minExclusive: min.exclusive } : {}),
        ...(max ? { max: max.value, maxExclusive: max.exclusive } : {}),
      };
    }
    return { name, label, description, kind: 'string', default: String(p.default ?? '') };
  });
}

/** One field's descriptor; throws for a name the schema lacks (a programming error). */
export function paramDescriptor(schema: z.ZodObject, name: string): ParamDescriptor {
  const d = paramDescriptors(schema).find((x) => x.name === name);
  if (!d) throw new Error(`No parameter ${name}.`);
  return d;
}

function formatBound(v: number): string {
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential() : String(v);
}

/** "from 1 to 4096", "greater than 0 and at most 1e+6", "at least 0": the allowed range in words. */
export function rangeText(d: NumericDescriptor): string {
  const low = d.min === undefined ? null : d.minExclusive ? `greater than ${formatBound(d.min)}` : `at least ${formatBound(d.min)}`;
  const high = d.max === undefined ? null : d.maxExclusive ? `less than ${formatBound(d.max)}` : `at most ${formatBound(d.max)}`;
  if (d.min !== undefined && d.max !== undefined && !d.minExclusive && !d.maxExclusive) return `from ${formatBound(d.min)} to ${formatBound(d.max)}`;
  return [low, high].filter((t) => t !== null).join(' and ');
}

/** The rule a value must meet, as the end of a sentence: "must be a whole number from 1 to 4096". */
export function ruleText(d: ParamDescriptor): string {
  switch (d.kind) {
    case 'boolean': return 'must be on or off (true or false)';
    case 'enum': return `must be one of ${d.options.join(', ')}`;
    case 'string': return 'must be text';
    default: {
      const range = rangeText(d);
      return `must be ${d.kind === 'integer' ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''}`;
    }
  }
}

/**
 * Checks a value as typed in a field, given in a link or on the command line (text), or set by a
 * control (typed). The message names the parameter by its label and states the rule, the same
 * wherever the value came from.
 */
export function parseParamInput(d: ParamDescriptor, raw: unknown): ParamInput {
  const problem = { ok: false as const, problem: `${d.label} ${ruleText(d)}.` };
  switch (d.kind) {
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      return raw === 'true' || raw === 'false' ? { ok: true, value: raw === 'true' } : problem;
    case 'enum':
      return d.options.includes(String(raw)) ? { ok: true, value: String(raw) } : problem;
    case 'string':
      return typeof raw === 'string' ? { ok: true, value: raw } : problem;
    case 'number':
    case 'integer': {
      if (typeof raw !== 'number' && typeof raw !== 'string') return problem;
      const text = String(raw).trim();
      const v = Number(text);
      if (text === '' || !Number.isFinite(v)) return problem;
      if (d.kind === 'integer' && !Number.isInteger(v)) return problem;
      const belowMin = d.min !== undefined && (d.minExclusive ? v <= d.min : v < d.min);
      const aboveMax = d.max !== undefined && (d.maxExclusive ? v >= d.max : v > d.max);
      return belowMin || aboveMax ? problem : { ok: true, value: v };
    }
  }
}

/** The value a field shows: the edited one, else the default. */
export function paramValue(d: ParamDescriptor, edited: Record<string, unknown> | undefined): ParamValue {
  const v = edited?.[d.name];
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : d.default;
}

/**
 * Raw values (text from a link or the CLI, or typed) checked field by field against a schema's
 * descriptors: the valid ones, and a message per refused or unknown one. The caller decides
 * whether one problem refuses everything (CLI) or only that value (a link).
 */
export function checkParams(schema: z.ZodObject, raw: Record<string, unknown>): { values: Record<string, ParamValue>; problems: string[]; unknown: string[] } {
  const descriptors = paramDescriptors(schema);
  const values: Record<string, ParamValue> = {};
  const problems: string[] = [];
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    // An absent value takes the default, as in the schema.
    if (value === undefined) continue;
    const d = descriptors.find((x) => x.name === name);
    if (!d) {
      unknown.push(name);
      continue;
    }
    const parsed = parseParamInput(d, value);
    if (parsed.ok) values[name] = parsed.value;
    else problems.push(parsed.problem);
  }
  return { values, problems, unknown };
}

/** The schema's defaults, as one object. */
export function paramDefaults<S extends z.ZodObject>(schema: S): z.infer<S> {
  return schema.parse({});
}
