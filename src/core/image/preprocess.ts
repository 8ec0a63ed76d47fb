import { preprocessFit } from './fitPreprocess';
import { preprocessMnist, type Polarity } from './mnistPreprocess';
import type { RawImage } from './rawImage';

export type PreprocessingKind = 'mnist' | 'fit';

export interface ModelInput {
  /** NHWC pixels without the batch axis, in the model's input range. */
  pixels: Float32Array;
  shape: [number, number, number];
  polarity?: Polarity;
  notes: string[];
}

/** The preprocessing a model's meta.json names, applied to a decoded image. */
export function preprocessForModel(kind: PreprocessingKind, img: RawImage, shape: [number, number, number]): ModelInput {
  if (kind === 'mnist') {
    if (shape[0] !== 28 || shape[1] !== 28 || shape[2] !== 1) {
      throw new Error(`MNIST preprocessing makes 28x28x1 inputs; this model takes ${shape.join('x')}.`);
    }
    const p = preprocessMnist(img);
    return { pixels: p.pixels, shape, polarity: p.polarity, notes: p.notes };
  }
  return { pixels: preprocessFit(img, shape), shape, notes: [] };
}
