import { z } from 'zod';
import type { Method } from '../methods/types';
import { throwIfAborted } from '../methods/types';
import { RANDOM_UNIT } from '../methods/units';
import { mulberry32 } from '../util/random';

const params = z.object({});

/**
 * The baseline every evaluation table includes: i.i.d. uniform values in [0, 1), seeded, blind
 * to the model and the input. Its relevance-ordering curve is that of a uniformly random order,
 * so a map that does not beat it carries no information about the decision.
 */
export const randomMapMethod: Method<typeof params> = {
  id: 'random',
  label: 'Random map (baseline)',
  family: 'baseline',
  description: 'Uniform random values: the order a map must beat to say anything.',
  formula: 'R_i ~ U[0, 1) i.i.d.',
  params,
  unit: RANDOM_UNIT,
  requires: 'gradient',
  cost: 'cheap',
  estimate: () => ({ forward: 0, backward: 0 }),
  async explain(_net, x, _target, _p, ctx) {
    throwIfAborted(ctx.signal);
    const rand = mulberry32(ctx.seed ?? 0);
    const relevance = new Float32Array(x.size);
    for (let i = 0; i < relevance.length; i++) relevance[i] = rand();
    return { relevance, shape: x.shape.slice(), passes: { forward: 0, backward: 0 } };
  },
};
