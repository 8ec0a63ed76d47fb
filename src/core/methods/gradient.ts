import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import type { Method } from './types';
import { throwIfAborted } from './types';
import { singlePassExplanation } from './readBack';
import { GRADIENT_UNIT } from './units';

/** ∂Φ_k/∂x for a batch of inputs: one backward pass per call. Returns [batch, ...input]. */
export function logitGradient(net: Net, x: tf.Tensor4D, target: number): tf.Tensor4D {
  return tf.tidy(() => {
    const g = tf.grad((input: tf.Tensor) => {
      const logits = forwardLogits(net, input as tf.Tensor4D);
      return tf.sum(tf.slice(logits, [0, target], [-1, 1]));
    });
    return g(x) as tf.Tensor4D;
  });
}

const params = z.object({
  variant: z.enum(['raw', 'absolute', 'squared']).default('raw')
    .describe('raw ∂Φ/∂x, its magnitude |∂Φ/∂x|, or its square'),
});

/** Sensitivity (Simonyan et al.; Baehrens et al.): METHODS.md section 3. */
export const gradientMethod: Method<typeof params> = {
  id: 'gradient',
  label: 'Gradient (sensitivity)',
  family: 'gradient',
  description: 'How fast the class score changes when one pixel changes.',
  formula: 'R = ∂Φₖ(x) / ∂x',
  params,
  unit: GRADIENT_UNIT,
  requires: 'gradient',
  cost: 'cheap',
  async explain(net, x, target, p, ctx) {
    throwIfAborted(ctx.signal);
    const g = tf.tidy(() => {
      const raw = logitGradient(net, x, target);
      if (p.variant === 'absolute') return tf.abs(raw);
      if (p.variant === 'squared') return tf.square(raw);
      return raw;
    });
    return singlePassExplanation(g, x, ctx);
  },
};
