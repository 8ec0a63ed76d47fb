import { METHODS, getMethod } from '../methods/registry';
import type { Method } from '../methods/types';
import { randomMapMethod } from './randomMap';

/** What evaluation can rank: every registered method and the random baseline (not a grid method). */
export const EVALUATION_METHODS: Method[] = [...METHODS, randomMapMethod];

export function getEvaluationMethod(id: string): Method {
  if (id === randomMapMethod.id) return randomMapMethod;
  try {
    return getMethod(id);
  } catch {
    throw new Error(`Unknown method "${id}". Known: ${EVALUATION_METHODS.map((m) => m.id).join(', ')}.`);
  }
}
