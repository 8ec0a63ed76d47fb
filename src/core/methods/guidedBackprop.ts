import { z } from 'zod';
import type { Method } from './types';
import { throwIfAborted } from './types';
import { modifiedReluGradient, type ReluBackwardRule } from './modifiedReluGradient';
import { MODIFIED_GRADIENT_UNIT } from './units';
import { singlePassExplanation } from './readBack';

const params = z.object({});

/**
 * Guided backprop and deconvnet share everything but the ReLU's backward rule.
 *
 * They run on any differentiable net (requires 'gradient'): an opaque layer passes its plain
 * gradient, which is exactly what both methods do at every non-ReLU layer. What they cannot do
 * is modify a rectifier hidden inside an opaque layer (a capped ReLU, a depthwise conv with a
 * relu activation); such layers are listed in extras.opaqueLayers so the studio can say so.
 */
function reluRuleMethod(id: string, label: string, rule: ReluBackwardRule, description: string, formula: string): Method<typeof params> {
  return {
    id, label, family: 'gradient', description, formula, params, unit: MODIFIED_GRADIENT_UNIT, requires: 'gradient', cost: 'cheap',
    async explain(net, x, target, _p, ctx) {
      throwIfAborted(ctx.signal);
      return singlePassExplanation(modifiedReluGradient(net, x, target, rule), x, ctx, {
        opaqueLayers: net.layers.filter((l) => l.kind === 'opaque').map((l) => l.name),
      });
    },
  };
}

export const guidedBackpropMethod = reluRuleMethod(
  'guided-backprop', 'Guided Backprop', 'guided',
  'The gradient with every ReLU letting back only positive signal, and only where it was active.',
  'at each ReLU: R_in = [a > 0] · max(R_out, 0)',
);

export const deconvnetMethod = reluRuleMethod(
  'deconvnet', 'Deconvnet', 'deconvnet',
  'The gradient with every ReLU letting back only positive signal, wherever it was.',
  'at each ReLU: R_in = max(R_out, 0)',
);
