/**
 * The 1-D Gaussian kernel exp(−t²/2σ²) for t = −r..r with r = ⌈3σ⌉, normalised to sum 1.
 * σ = 0 gives the identity kernel [1].
 */
export function gaussianKernel(sigma: number): Float64Array {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new Error(`The blur σ must be a finite number ≥ 0; got ${sigma}.`);
  const radius = Math.ceil(3 * sigma);
  if (radius === 0) return Float64Array.of(1);
  const kernel = Float64Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  return kernel.map((v) => v / total);
}

/**
 * One pass of the separable blur along one axis of an [h, w, c] image. At the border the kernel
 * is cut to the pixels inside and renormalised (each output is a weighted mean of real pixels),
 * so a constant image stays constant and a σ larger than the image needs no special case.
 */
function blurAxis(src: Float64Array, [h, w, c]: [number, number, number], kernel: Float64Array, axis: 'horizontal' | 'vertical'): Float64Array {
  const out = new Float64Array(src.length);
  const radius = (kernel.length - 1) / 2;
  const length = axis === 'horizontal' ? w : h;
  const stride = axis === 'horizontal' ? c : w * c;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const along = axis === 'horizontal' ? x : y;
      const lo = Math.max(0, along - radius);
      const hi = Math.min(length - 1, along + radius);
      let norm = 0;
      for (let t = lo; t <= hi; t++) norm += kernel[t - along + radius];
      for (let ch = 0; ch < c; ch++) {
        const at = (y * w + x) * c + ch;
        const first = at - (along - lo) * stride;
        let acc = 0;
        for (let t = lo; t <= hi; t++) acc += kernel[t - along + radius] * src[first + (t - lo) * stride];
        out[at] = acc / norm;
      }
    }
  }
  return out;
}

/**
 * Gaussian blur with standard deviation σ pixels of an NHWC image without the batch axis, each
 * channel on its own: a horizontal pass then a vertical pass of the 1-D kernel (a 2-D Gaussian is the
 * product of two 1-D ones). Used for the blurred-input baseline of Integrated Gradients
 * (METHODS.md 3).
 */
export function gaussianBlur(pixels: Float32Array, shape: [number, number, number], sigma: number): Float32Array {
  const [h, w, c] = shape;
  if (pixels.length !== h * w * c) throw new Error(`The image holds ${pixels.length} values, not ${h} x ${w} x ${c}.`);
  const kernel = gaussianKernel(sigma);
  const across = blurAxis(Float64Array.from(pixels), shape, kernel, 'horizontal');
  return Float32Array.from(blurAxis(across, shape, kernel, 'vertical'));
}
