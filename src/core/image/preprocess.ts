import { preprocessFit } from './fitPreprocess';
import { preprocessMnist, type Polarity } from './mnistPreprocess';
import type { RawImage } from './rawImage';
import { plural } from '../util/plural';

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
  const problem = preprocessingProblem(kind, shape);
  if (problem) throw new Error(problem);
  if (kind === 'mnist') {
    const p = preprocessMnist(img);
    return { pixels: p.pixels, shape, polarity: p.polarity, notes: p.notes };
  }
  return { pixels: preprocessFit(img, shape), shape, notes: [] };
}

const dims = (shape: readonly number[]) => shape.join(' x ');

/**
 * Why the studio's preprocessing cannot make this model's input, or null when it can: MNIST
 * preprocessing makes 28 x 28 x 1; the plain one makes gray (1 channel) or RGB (3 channels)
 * images of any size (core/image/fitPreprocess.ts).
 */
export function preprocessingProblem(kind: PreprocessingKind, shape: [number, number, number]): string | null {
  if (kind === 'mnist') {
    return shape[0] === 28 && shape[1] === 28 && shape[2] === 1 ? null
      : `MNIST preprocessing makes 28 x 28 x 1 inputs; this model takes ${dims(shape)}.`;
  }
  return shape[2] === 1 || shape[2] === 3 ? null
    : `The model takes ${dims(shape)} inputs, with ${plural(shape[2], 'channel')}; the studio's preprocessing makes images with 1 (gray) or 3 (RGB) channels, so no image could be classified.`;
}
