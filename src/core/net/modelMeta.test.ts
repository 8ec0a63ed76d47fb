import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelMeta, resolveModelMeta } from './modelMeta';
import { plural } from '../util/plural';
import { preprocessingProblem } from '../image/preprocess';

const MNIST_META = readFileSync(join(__dirname, '..', '..', '..', 'public', 'models', 'mnist', 'meta.json'), 'utf8');
const DIGITS = { inputShape: [28, 28, 1] as [number, number, number], outputs: 10 };

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('meta.json: one schema, one set of defaults', () => {
  it('reads the built-in meta.json with every field', () => {
    const meta = resolveModelMeta(parseModelMeta(MNIST_META), DIGITS, 'fallback');
    expect(meta).toEqual({
      id: 'mnist', name: 'MNIST digits (RDE paper network)', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      inputShape: [28, 28, 1], preprocessing: 'mnist', heldOutAccuracy: 0.985, inputRange: [0, 1],
    });
  });

  it('says which class name is not text (an object would blank the page)', () => {
    const text = JSON.stringify({ classes: ['a', 'b', 'c', { label: 'd' }] });
    expect(messageOf(() => parseModelMeta(text))).toBe('meta.json: classes must be text; entry 3 is an object.');
    expect(messageOf(() => parseModelMeta('{"classes": "0123"}'))).toBe('meta.json: classes must be a list of class names; it is "0123".');
  });

  it('refuses a held-out accuracy that is not a fraction (it showed "NaN%")', () => {
    expect(messageOf(() => parseModelMeta('{"heldOutAccuracy": "high"}'))).toBe('meta.json: heldOutAccuracy must be a number between 0 and 1; it is "high".');
    expect(messageOf(() => parseModelMeta('{"heldOutAccuracy": 98.5}'))).toBe('meta.json: heldOutAccuracy must be a number between 0 and 1; it is 98.5.');
  });

  it('refuses other malformed fields with the field named', () => {
    expect(messageOf(() => parseModelMeta('{"preprocessing": "imagenet"}'))).toBe('meta.json: preprocessing must be "mnist" or "fit"; it is "imagenet".');
    expect(messageOf(() => parseModelMeta('[1, 2]'))).toBe('meta.json must be a JSON object; it is a list.');
    expect(messageOf(() => parseModelMeta('{"classes": ['))).toBe('meta.json is not valid JSON.');
    expect(messageOf(() => parseModelMeta('{"inputShape": [28, 28]}'))).toMatch(/^meta\.json: inputShape must be a list \[height, width, channels\]/);
  });

  it('refuses a class count that differs from the model outputs, with both numbers (and "1 class")', () => {
    const nine = parseModelMeta(JSON.stringify({ classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8'] }));
    expect(messageOf(() => resolveModelMeta(nine, DIGITS, 'm'))).toBe('meta.json names 9 classes; the model has 10 outputs.');
    const one = parseModelMeta('{"classes": ["cat"]}');
    expect(messageOf(() => resolveModelMeta(one, { inputShape: [8, 8, 3], outputs: 2 }, 'm'))).toBe('meta.json names 1 class; the model has 2 outputs.');
    expect(plural(1, 'output')).toBe('1 output');
    expect(plural(1000, 'parameter')).toBe('1,000 parameters');
  });

  it('refuses a meta.json input shape that differs from model.json', () => {
    const meta = parseModelMeta('{"inputShape": [32, 32, 3]}');
    expect(messageOf(() => resolveModelMeta(meta, DIGITS, 'm'))).toBe('meta.json says the input is 32 x 32 x 3; model.json declares 28 x 28 x 1.');
  });

  it('derives the defaults in one place: MNIST preprocessing for 28 x 28 x 1, the plain one otherwise, classes 0..n-1', () => {
    expect(resolveModelMeta({}, DIGITS, 'digits')).toEqual({
      id: 'digits', name: 'digits', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      inputShape: [28, 28, 1], preprocessing: 'mnist', heldOutAccuracy: null, inputRange: null,
    });
    const rgb = resolveModelMeta({}, { inputShape: [32, 32, 3], outputs: 3 }, 'rgb');
    expect(rgb.preprocessing).toBe('fit');
    expect(rgb.classes).toEqual(['0', '1', '2']);
  });

  it('refuses an input no preprocessing can make (28 x 28 x 4), naming the shape', () => {
    expect(messageOf(() => resolveModelMeta({}, { inputShape: [28, 28, 4], outputs: 10 }, 'm')))
      .toBe("The model takes 28 x 28 x 4 inputs, with 4 channels; the studio's preprocessing makes images with 1 (gray) or 3 (RGB) channels, so no image could be classified.");
    expect(messageOf(() => resolveModelMeta({ preprocessing: 'mnist' }, { inputShape: [32, 32, 1], outputs: 10 }, 'm')))
      .toBe('MNIST preprocessing makes 28 x 28 x 1 inputs; this model takes 32 x 32 x 1.');
    expect(preprocessingProblem('fit', [28, 28, 1])).toBeNull();
    expect(preprocessingProblem('fit', [224, 224, 3])).toBeNull();
  });
});
