import { describe, expect, it } from 'vitest';
import type { ParamDescriptor } from '../worker/protocol';
import { paramValue, parseParamInput } from './compareParams';

// Descriptors as the worker derives them from Integrated Gradients' and LRP's zod schemas.
const steps: ParamDescriptor = { name: 'steps', description: 'steps n', kind: 'integer', default: 64, min: 1, minExclusive: false, max: 4096, maxExclusive: false };
const epsilon: ParamDescriptor = { name: 'epsilon', description: 'ε', kind: 'number', default: 1e-6, min: 0, minExclusive: true, max: 1e6, maxExclusive: false };
const low: ParamDescriptor = { name: 'low', description: 'lower bound', kind: 'number', default: 0 };
const rule: ParamDescriptor = { name: 'rule', description: 'quadrature', kind: 'enum', default: 'middle', options: ['left', 'right', 'middle', 'trapezoid'] };

describe('parseParamInput', () => {
  it('accepts whole numbers in range and refuses the rest with the range in words', () => {
    expect(parseParamInput(steps, ' 8 ')).toEqual({ ok: true, value: 8 });
    expect(parseParamInput(steps, '4096')).toEqual({ ok: true, value: 4096 });
    const problem = 'steps must be a whole number from 1 to 4096.';
    expect(parseParamInput(steps, '0')).toEqual({ ok: false, problem });
    expect(parseParamInput(steps, '4097')).toEqual({ ok: false, problem });
    expect(parseParamInput(steps, '2.5')).toEqual({ ok: false, problem });
    expect(parseParamInput(steps, '')).toEqual({ ok: false, problem });
    expect(parseParamInput(steps, 'abc')).toEqual({ ok: false, problem });
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
