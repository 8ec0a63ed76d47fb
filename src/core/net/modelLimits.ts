/**
 * What the studio accepts, checked on model.json alone, before tfjs allocates anything: a model
 * that declares more than this kills the WASM backend ("memory access out of bounds") or keeps
 * gigabytes in variables that tfjs never frees (issue 9).
 */
export const MODEL_LIMITS = {
  /** Height or width of the input image, in pixels. */
  inputSide: 4096,
  /** Values in one input image (1024 x 1024 x 3): an image this size already takes 12 MiB per copy. */
  inputValues: 1024 * 1024 * 3,
  /** Units of a dense layer, filters of a convolution, entries of any declared shape (ImageNet-21k heads have 21,843). */
  units: 65_536,
  layers: 2_000,
  /**
   * Weights (as float32) plus the input and output of the largest layer at batch 1: 256 MiB holds
   * ResNet-50 (98 MiB) or MobileNet, not VGG-16 (528 MiB); methods then run batches on top of it.
   */
  memoryBytes: 256 * 2 ** 20,
} as const;

export function formatCount(n: number): string {
  return n >= 1e6 ? n.toExponential(1).replace('e+', 'e') : n.toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return n >= 2 ** 10 ? `${(n / 2 ** 10).toFixed(1)} KiB` : `${n} bytes`;
}
