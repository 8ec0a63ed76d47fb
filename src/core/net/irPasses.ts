import * as tf from '@tensorflow/tfjs';
import type { ElementwiseFn, IRLayer, Net } from './ir';
import type { Conversion } from './layerConverters';

/**
 * Small passes between the converter table (layerConverters.ts) and the finished IR, each one
 * rewrite, as Zennit's canonizers are separate objects: `splitActivations` gives every fused
 * activation its own node (or makes it the head), `foldChannelAffine` folds batch norms into
 * the affine layer before them.
 */

/** One source layer and what its converter made of it. */
export interface Draft {
  name: string;
  className: string;
  conversion: Conversion;
}

const ELEMENTWISE: Record<string, ElementwiseFn> = {
  sigmoid: 'sigmoid', tanh: 'tanh', elu: 'elu', selu: 'selu', softplus: 'softplus',
  swish: 'swish', gelu: 'gelu',
};

type Head = Net['head'];

/** The nodes of one activation, the head it is instead (last layer only), or why neither. */
function activationNodes(name: string, activation: string, isLast: boolean): { nodes: IRLayer[]; head?: Head } | { reason: string } {
  if (activation === 'linear') return { nodes: [] };
  if (activation === 'relu') return { nodes: [{ kind: 'relu', name: `${name}/relu` }] };
  // A final softmax or sigmoid is the head: explanations target the score before it.
  if (activation === 'softmax') return isLast ? { nodes: [], head: 'softmax' } : { reason: 'a softmax before the last layer' };
  if (activation === 'sigmoid' && isLast) return { nodes: [], head: 'sigmoid' };
  const fn = ELEMENTWISE[activation];
  return fn ? { nodes: [{ kind: 'activation', name: `${name}/${activation}`, fn }] } : { reason: `the activation "${activation}"` };
}

/**
 * Splits each fused activation into its own node after the layer's nodes, or into the net's
 * head when the last layer ends in softmax or sigmoid. A layer whose activation the IR lacks
 * becomes unsupported as a whole (no half of it is kept); tensors its converter made are freed.
 */
export function splitActivations(drafts: Draft[]): { drafts: Draft[]; head: Head } {
  let head: Head = 'none';
  const out = drafts.map((draft, index): Draft => {
    const c = draft.conversion;
    if (!c.ok || c.activation === undefined) return draft;
    const split = activationNodes(draft.name, c.activation, index === drafts.length - 1);
    if ('reason' in split) {
      tf.dispose(c.owned ?? []);
      return { ...draft, conversion: { ok: false, reason: split.reason } };
    }
    if (split.head) head = split.head;
    return { ...draft, conversion: { ok: true, nodes: [...c.nodes, ...split.nodes], ...(c.owned ? { owned: c.owned } : {}) } };
  });
  return { drafts: out, head };
}

/**
 * Folds every per-channel affine map (a batch norm) into the dense or conv layer right before
 * it: kernel·scale and bias·scale + shift (METHODS.md 1.1, batch norm). Any other predecessor
 * (a ReLU, a pooling, an opaque layer) keeps it as its own channelAffine node. The new kernel
 * and bias are pushed to `owned`.
 */
export function foldChannelAffine(layers: IRLayer[], owned: tf.Tensor[]): IRLayer[] {
  const out: IRLayer[] = [];
  for (const layer of layers) {
    const prev = out[out.length - 1];
    if (layer.kind !== 'channelAffine' || !prev || (prev.kind !== 'dense' && prev.kind !== 'conv2d')) {
      out.push(layer);
      continue;
    }
    const { scale, shift } = layer;
    const [kernel, bias] = tf.tidy(() => [
      tf.mul(prev.kernel, scale),
      prev.bias ? tf.add(tf.mul(prev.bias, scale), shift) : shift.clone(),
    ]);
    owned.push(kernel, bias);
    out[out.length - 1] = { ...prev, kernel: kernel as never, bias: bias as tf.Tensor1D };
  }
  return out;
}
