import { describe, expect, it } from 'vitest';
import { parseUrlView, viewSearch } from './urlView';
import { RDE_DEFAULTS } from '../core/rde/params';
import { initialRdeState } from './rdeSlice';

describe('parseUrlView', () => {
  it('reads RDE\'s parameters, the class, the digit and the backend', () => {
    const v = parseUrlView('?lambda=2&rank=8&mode=lowrank&regulariser=paper&iterations=50&class=3&digit=digit-3-1.png&backend=webgl');
    expect(v.problems).toEqual([]);
    expect(v.settings).toEqual({ lambda: 2, rank: 8, mode: 'lowrank', regulariser: 'paper', iterations: 50 });
    expect(v.explainedClass).toBe(3);
    expect(v.digit).toBe('digit-3-1.png');
    expect(v.backend).toBe('webgl');
  });

  it('ignores each bad value with the rule the panel states for it, and keeps the others', () => {
    const v = parseUrlView('?lambda=-1&rank=2.5&mode=magic&iterations=20000&samples=0&class=x&digit=../x.png&backend=bogus&s0=0.5');
    expect(v.settings).toEqual({ s0: 0.5 });
    expect(v.problems).toEqual([
      // In the link's order.
      'lambda=-1 (must be a number from 0 to 10000)',
      'rank=2.5 (must be a whole number from 0 to 4096)',
      'mode=magic (must be one of diag, lowrank, lowrank-diag, mc)',
      'iterations=20000 (must be a whole number from 1 to 10000)',
      'samples=0 (must be a whole number from 1 to 4096)',
      'class=x (must be a whole number from 0)',
      'digit=../x.png (a bundled digit is named like digit-3-1.png)',
      'backend=bogus (must be one of auto, webgpu, webgl, wasm, cpu)',
    ]);
  });
});

describe('viewSearch', () => {
  const rde = (patch: Partial<typeof RDE_DEFAULTS>) => ({ ...initialRdeState, settings: { ...RDE_DEFAULTS, ...patch } });

  it('writes λ, rank and mode always, other parameters only where they differ from the defaults, and keeps the backend', () => {
    const search = viewSearch({ rde: rde({ lambda: 2, regulariser: 'mean' }), targetOverride: 4, digit: 'digit-3-1.png' }, '?backend=wasm&plateau=0.5');
    const params = new URLSearchParams(search);
    expect(Object.fromEntries(params)).toEqual({ backend: 'wasm', lambda: '2', rank: '0', mode: 'diag', regulariser: 'mean', class: '4', digit: 'digit-3-1.png' });
  });

  it('drops a backend the link named wrongly (reported once, not again on reload)', () => {
    const search = viewSearch({ rde: rde({}), targetOverride: null, digit: null }, '?backend=bogus&lang=en');
    expect(Object.fromEntries(new URLSearchParams(search))).toEqual({ lang: 'en', lambda: '0.5', rank: '0', mode: 'diag' });
  });

  it('round-trips: the view written is the view read', () => {
    const settings = { lambda: 0.03, rank: 12, mode: 'lowrank-diag' as const, iterations: 1000, plateau: 0, samples: 128, optimizer: 'adam' as const };
    const search = viewSearch({ rde: rde(settings), targetOverride: null, digit: null }, '');
    const back = parseUrlView(search);
    expect(back.problems).toEqual([]);
    expect({ ...RDE_DEFAULTS, ...back.settings }).toEqual({ ...RDE_DEFAULTS, ...settings });
    expect(back.explainedClass).toBeUndefined();
    expect(back.digit).toBeUndefined();
  });
});
