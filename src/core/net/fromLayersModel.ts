import type * as tf from '@tensorflow/tfjs';
import type { IRLayer, Net } from './ir';
import { foldChannelAffine, splitActivations, type Draft } from './irPasses';
import { convertLayer, type KerasLayerView } from './layerConverters';
import { imageInputShape } from './topologyCheck';

/** A tfjs layer as the converters see it: class, config and weights by the last part of their name. */
export function kerasLayerView(layer: tf.layers.Layer): KerasLayerView {
  return {
    name: layer.name,
    className: layer.getClassName(),
    config: layer.getConfig() as Record<string, unknown>,
    weight: (suffix) => {
      const w = layer.weights.find((v) => v.originalName.endsWith(`/${suffix}`) || v.name.endsWith(`/${suffix}`));
      return w ? w.read() : null;
    },
  };
}

function opaque(layer: tf.layers.Layer): IRLayer {
  return {
    kind: 'opaque', name: layer.name, className: layer.getClassName(),
    apply: (x) => layer.apply(x) as tf.Tensor,
  };
}

/**
 * Turns a sequential tfjs LayersModel into the IR: each layer through its entry in the converter
 * table (layerConverters.ts), then the passes (irPasses.ts): activations inside dense/conv layers
 * become their own layers (a final softmax or sigmoid the head), batch norm folds into the affine
 * layer before it. Dropout and input layers vanish. A layer the table cannot express becomes an
 * opaque layer, listed in `unsupported`, so gradient methods still work and propagation methods
 * can say why not. A real error in a converter (a weight of the wrong shape) is thrown, after
 * the tensors made so far are freed.
 */
export function netFromLayersModel(model: tf.LayersModel): Net {
  const inputShape = imageInputShape(model.inputs[0].shape.slice(1));
  for (const layer of model.layers) {
    if (layer.inboundNodes.some((node) => node.inboundLayers.length > 1)) {
      throw new Error(`Layer "${layer.name}" (${layer.getClassName()}) merges several inputs; only sequential models are supported so far.`);
    }
  }
  const owned: tf.Tensor[] = [];
  try {
    const converted: Draft[] = model.layers.map((layer) => {
      const view = kerasLayerView(layer);
      const conversion = convertLayer(view);
      if (conversion.ok && conversion.owned) owned.push(...conversion.owned);
      return { name: view.name, className: view.className, conversion };
    });
    const { drafts, head } = splitActivations(converted);
    const unsupported: Net['unsupported'] = [];
    const layers = drafts.flatMap((draft, index): IRLayer[] => {
      if (draft.conversion.ok) return draft.conversion.nodes;
      unsupported.push({ name: draft.name, className: draft.className });
      return [opaque(model.layers[index])];
    });
    const folded = foldChannelAffine(layers, owned);
    const outShape = model.outputs[0].shape;
    return {
      inputShape,
      outputs: Number(outShape[outShape.length - 1]),
      // splitActivations freed what the converter of a layer that turned out opaque had made.
      layers: folded, head, unsupported, owned: owned.filter((t) => !t.isDisposed),
    };
  } catch (err) {
    for (const t of owned) if (!t.isDisposed) t.dispose();
    throw err;
  }
}

export function disposeNet(net: Net): void {
  for (const t of net.owned) t.dispose();
  net.owned.length = 0;
}
