import type { ActivationLayer, IRLayer, LayerKind, OpaqueLayer } from '../net/ir';
import { avgPoolMap, channelAffineMap, conv2dMap, denseMap, flattenMap, globalAvgPoolMap, propagateAffine } from './affine';
import { propagateGlobalMaxPool, propagateMaxPool } from './maxPool';
import type { Moments } from './moments';
import { propagateRelu } from './relu';

type AdfRule<K extends LayerKind> = (layer: Extract<IRLayer, { kind: K }>, m: Moments) => Moments;

function notSupported(layer: ActivationLayer | OpaqueLayer, why: string): never {
  const detail = layer.kind === 'activation' ? `activation ${layer.fn}` : `${layer.className}, not expressible in the IR`;
  throw new Error(
    `ADF cannot propagate moments through layer "${layer.name}" (${detail}): ${why}. ` +
    'Use Monte-Carlo RDE, which works on any differentiable model.',
  );
}

/** ADF moment propagation, one rule per layer kind, every mode (METHODS.md 1.1). */
const adfRules: { [K in LayerKind]: AdfRule<K> } = {
  dense: (l, m) => propagateAffine(denseMap(l), m),
  conv2d: (l, m) => propagateAffine(conv2dMap(l), m),
  avgPool: (l, m) => propagateAffine(avgPoolMap(l), m),
  globalAvgPool: (l, m) => propagateAffine(globalAvgPoolMap(l), m),
  flatten: (l, m) => propagateAffine(flattenMap(l), m),
  channelAffine: (l, m) => propagateAffine(channelAffineMap(l), m),
  relu: (_l, m) => propagateRelu(m),
  maxPool: propagateMaxPool,
  globalMaxPool: propagateGlobalMaxPool,
  activation: (l) => notSupported(l, 'the moments of this nonlinearity have no rule'),
  opaque: (l) => notSupported(l, 'its computation is unknown to ADF'),
};

export function propagateLayer(layer: IRLayer, m: Moments): Moments {
  return (adfRules[layer.kind] as AdfRule<LayerKind>)(layer as never, m);
}
