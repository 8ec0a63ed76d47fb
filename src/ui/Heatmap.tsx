import { memo, useEffect, useRef } from 'react';
import { divergingScale, maskScale, rgbaOf } from './colour';

interface HeatmapProps {
  values: Float32Array;
  width: number;
  height: number;
  limit: number;
  /** Gray input pixels in [0,1] (ink = 1) to show under the map. */
  base?: Float32Array;
  overlay?: boolean;
  /**
   * 'ink' draws values in [0,1] as dark ink on white paper; 'mask' draws values in [0,1] from
   * white to red (an RDE mask s); 'diverging' is the relevance map centred at 0.
   */
  palette?: 'diverging' | 'ink' | 'mask';
  label: string;
  size?: number;
  testId?: string;
}

/** A relevance map drawn pixel for pixel and scaled up without smoothing. */
export const Heatmap = memo(function Heatmap({ values, width, height, limit, base, overlay = false, palette = 'diverging', label, size = 280, testId }: HeatmapProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const scale = divergingScale(limit);
    const image = ctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      if (palette === 'ink') {
        const gray = Math.round(255 * (1 - Math.min(1, Math.max(0, values[i]))));
        image.data.set([gray, gray, gray, 255], i * 4);
        continue;
      }
      const [r, g, b] = palette === 'mask' ? rgbaOf(maskScale, values[i]) : rgbaOf(scale, values[i]);
      let out = [r, g, b];
      if (overlay && base) {
        // The input in gray (ink dark), tinted by the map where relevance is strong.
        const gray = 255 * (1 - 0.75 * base[i]);
        const a = limit > 0 ? Math.min(1, Math.abs(values[i]) / limit) : 0;
        out = [r, g, b].map((c) => Math.round(a * c + (1 - a) * gray));
      }
      image.data.set([out[0], out[1], out[2], 255], i * 4);
    }
    ctx.putImageData(image, 0, 0);
  }, [values, width, height, limit, base, overlay, palette]);
  return (
    <canvas
      ref={ref}
      className="pixelated"
      width={width}
      height={height}
      style={{ width: size, height: (size * height) / width }}
      role="img"
      aria-label={label}
      data-testid={testId}
    />
  );
});
