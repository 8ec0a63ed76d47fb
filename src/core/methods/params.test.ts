import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkParams, paramDescriptors, paramValue, parseParamInput, ruleText, type ParamDescriptor } from './params';
import { rdeParams, RDE_DEFAULTS } from '../rde/params';
import { METHODS } from './registry';

// Descriptors as derived from Integrated Gradients' and LRP's zod schemas.
const steps: ParamDescriptor = { name: 'steps', label: 'steps', description: 'steps n', kind: 'integer', default: 64, min: 1, minExclusive: false, max: 4096, maxExclusive: false };
const epsilon: ParamDescriptor = { name: 'epsilon', label: 'epsilon', description: 'ε', kind: 'number', default: 1e-6, min: 0, minExclusive: true, max: 1e6, maxExclusive: false };
const low: ParamDescriptor = { name: 'low', label: 'low', description: 'lower bound', kind: 'number', default: 0 };
const rule: ParamDescriptor = { name: 'rule', label: 'rule', description: 'quadrature', kind: 'enum', default: 'middle', options: ['left', 'right', 'middle', 'trapezoid'] };

describe('parseParamInput', () => {
  it('accepts whole numbers in range and refuses the rest with the range in words', () => {
    expect(parseParamInput(steps, ' 8 ')).toEqual({ ok: true, value: 8 });
    expect(parseParamInput(steps, '4096')).toEqual({ ok: true, value: 4096 });
    expect(parseParamInput(steps, 4096)).toEqual({ ok: true, value: 4096 });
    const problem = 'steps must be a whole number from 1 to 4096.';
    expect(parseParamInput(steps, '0')).toEqual({ ok: false, problem });
    expect(parseParamInput(steps, '4097')).toEqual({ ok: false, problem });
    expect(parseParamInput(steps, '2.5')).toEqual({ ok: false, problem });
    expect(parseParamInput(steps, '')).toEqual({ ok: false, problem });
    expect(parseParamInput(steps, 'abc')).toEqual({ ok: false, problem });
    expect(parseParamInput(steps, true)).toEqual({ ok: false, problem });
  });

  it('honours an exclusive lower bound (ε > 0) and numbers without bounds', () => {
    expect(parseParamInput(epsilon, '0')).toEqual({ ok: false, problem: 'epsilon must be a number greater than 0 and at most 1e+6.' });
    expect(parseParamInput(epsilon, '1e-9')).toEqual({ ok: true, value: 1e-9 });
    expect(parseParamInput(low, '-3.5')).toEqual({ ok: true, value: -3.5 });
    expect(parseParamInput(low, 'Infinity')).toEqual({ ok: false, problem: 'low must be a number.' });
  });

  it('accepts only the listed options of a choice', () => {
    expect(parseParamInput(rule, 'trapezoid')).toEqual({ ok: true, value: 'trapezoid' });
    expect(parseParamInput(rule, 'simpson')).toEqual({ ok: false, problem: 'rule must be one of left, right, middle, trapezoid.' });
  });
});

describe('paramValue', () => {
  it('shows the edited value, else the default', () => {
    expect(paramValue(steps, undefined)).toBe(64);
    expect(paramValue(steps, { steps: 8 })).toBe(8);
    expect(paramValue(rule, { steps: 8 })).toBe('middle');
  });
});

describe('paramDescriptors', () => {
  it('reads kind, default, bounds (inclusive and exclusive), label, help and option labels from a schema', () => {
    const schema = z.object({
      n: z.number().int().min(1).max(9).default(3).meta({ title: 'Count', description: 'how many' }),
      eps: z.number().positive().default(0.1).describe('ε'),
      pick: z.enum(['a', 'b']).default('b').meta({ title: 'Pick', description: 'which', optionLabels: { a: 'Alpha', b: 'Beta' } }),
      on: z.boolean().default(true).describe('switch'),
    });
    expect(paramDescriptors(schema)).toEqual([
      { name: 'n', label: 'Count', description: 'how many', kind: 'integer', default: 3, min: 1, minExclusive: false, max: 9, maxExclusive: false },
      { name: 'eps', label: 'eps', description: 'ε', kind: 'number', default: 0.1, min: 0, minExclusive: true },
      { name: 'pick', label: 'Pick', description: 'which', kind: 'enum', default: 'b', options: ['a', 'b'], optionLabels: { a: 'Alpha', b: 'Beta' } },
      { name: 'on', label: 'on', description: 'switch', kind: 'boolean', default: true },
    ]);
  });

  it('every registered method: each parameter has a description and a default that its own schema accepts', () => {
    for (const m of METHODS) {
      for (const d of paramDescriptors(m.params)) {
        expect(d.description, `${m.id}.${d.name}`).not.toBe('');
        expect(parseParamInput(d, d.default).ok, `${m.id}.${d.name}`).toBe(true);
      }
      expect(m.params.safeParse({}).success, m.id).toBe(true);
    }
  });

  it('RDE: the descriptors carry the schema\'s defaults, and the bounds are the schema\'s (one source for panel, link and CLI)', () => {
    const byName = Object.fromEntries(paramDescriptors(rdeParams).map((d) => [d.name, d]));
    for (const [name, value] of Object.entries(RDE_DEFAULTS)) expect(byName[name].default, name).toBe(value);
    expect(RDE_DEFAULTS).toMatchObject({ mode: 'diag', rank: 0, lambda: 0.5, regulariser: 'reference', iterations: 300, plateau: 0.001, s0: 0.25 });
    expect(ruleText(byName.lambda)).toBe('must be a number from 0 to 10000');
    expect(ruleText(byName.iterations)).toBe('must be a whole number from 1 to 10000');
    expect(ruleText(byName.samples)).toBe('must be a whole number from 1 to 4096');
    // What the schema refuses, the descriptor refuses, with the same rule.
    for (const [name, value] of [['lambda', -1], ['lambda', 10001], ['iterations', 0], ['samples', 5000], ['s0', 1.5], ['plateau', -0.1]] as const) {
      expect(rdeParams.shape[name].safeParse(value).success, `${name}=${value}`).toBe(false);
      expect(parseParamInput(byName[name], String(value)).ok, `${name}=${value}`).toBe(false);
    }
  });
});

describe('checkParams', () => {
  it('keeps the valid values and names each problem and unknown key', () => {
    const out = checkParams(rdeParams, { lambda: '2', rank: '-1', mode: 'lowrank', colour: 'red' });
    expect(out.values).toEqual({ lambda: 2, mode: 'lowrank' });
    expect(out.problems).toEqual(['Covariance rank of V must be a whole number from 0 to 4096.']);
    expect(out.unknown).toEqual(['colour']);
    expect(checkParams(rdeParams, { lambda: undefined }).problems).toEqual([]);
  });
});
