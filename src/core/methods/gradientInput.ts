import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Method } from './types';
import { throwIfAborted } from './types';
import { logitGradient } from './gradient';
import { singlePassExplanation } from './readBack';
import { LOGIT_SHARE } from './units';

const params = z.object({});

/**
 * Gradient × Input (METHODS.md 3; Shrikumar et al. 2016): each component's first-order
 * contribution x_i ∂Φ/∂x_i. For a linear model without bias it is exactly w_i x_i and sums to
 * the logit; for a ReLU net without biases it is also complete, since Φ(x) = ∇Φ(x)·x there.
 */
export const gradientInputMethod: Method<typeof params> = {
  id: 'gradient-input',
  label: 'Gradient × Input',
  family: 'gradient',
  description: 'The gradient weighted by the input: how much each pixel contributes to first order.',
  formula: 'R = x ⊙ ∂Φₖ(x) / ∂x',
  params,
  unit: LOGIT_SHARE,
  requires: 'gradient',
  cost: 'cheap',
  async explain(net, x, target, _p, ctx) {
    throwIfAborted(ctx.signal);
    return singlePassExplanation(tf.tidy(() => tf.mul(x, logitGradient(net, x, target))), x, ctx);
  },
};
