import * as tf from '@tensorflow/tfjs';

/** The attributes tfjs passes to its conv2d gradient kernels. */
export interface ConvGradientAttrs {
  strides: [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const registered = new Set<string>();

/**
 * Registers a conv2d gradient kernel that the project composes from other tfjs ops (NHWC only),
 * once per backend. `replace` swaps out a kernel the backend already has (a slow one); without
 * it an existing kernel is kept.
 */
export function registerComposedConvKernel<A>(
  kernelName: string, backendName: string, replace: boolean,
  compute: (inputs: Record<string, tf.Tensor4D>, attrs: ConvGradientAttrs & A) => tf.Tensor4D,
): void {
  const key = `${kernelName}/${backendName}`;
  if (registered.has(key)) return;
  registered.add(key);
  if (tf.getKernel(kernelName, backendName)) {
    if (!replace) return;
    tf.unregisterKernel(kernelName, backendName);
  }
  tf.registerKernel({
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs }) => {
      const a = attrs as unknown as ConvGradientAttrs & A;
      if (a.dataFormat === 'NCHW') throw new Error(`${kernelName} (project kernel): only NHWC is supported`);
      return compute(inputs as unknown as Record<string, tf.Tensor4D>, a);
    },
  });
}
