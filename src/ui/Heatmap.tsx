import { memo, useEffect, useRef } from 'react';
import { colourScale, rgbaOf } from './colour';
import { intensity, type MapScale } from './mapScale';

interface CommonProps {
  values: Float32Array;
  width: number;
  height: number;
  label: string;
  size?: number;
  testId?: string;
}

/**
 * A relevance map (or an RDE mask) coloured by its scale (ui/mapScale.ts), optionally over the
 * gray input (`base`, ink = 1); or an image in [0,1]: 'ink' draws 1 as dark ink on white paper,
 * 'gray' draws 0 black to 1 white (as a model reads it).
 */
type HeatmapProps = CommonProps & (
  | { scale: MapScale; base?: Float32Array; overlay?: boolean; palette?: undefined }
  | { palette: 'ink' | 'gray'; /** Unused: an image is always 0…1. */ limit?: number; scale?: undefined }
);

/** A map drawn pixel for pixel and scaled up without smoothing. */
export const Heatmap = memo(function Heatmap(props: HeatmapProps) {
  const { values, width, height, label, size = 280, testId } = props;
  const scale = props.scale;
  const image01 = props.scale ? null : props.palette;
  const base = props.scale ? props.base : undefined;
  const overlay = props.scale ? props.overlay ?? false : false;
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const colour = scale ? colourScale(scale) : null;
    const image = ctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      if (!scale || !colour) {
        const v = Math.min(1, Math.max(0, values[i]));
        const gray = Math.round(255 * (image01 === 'gray' ? v : 1 - v));
        image.data.set([gray, gray, gray, 255], i * 4);
        continue;
      }
      let out = rgbaOf(colour, values[i]);
      if (overlay && base) {
        // The input in gray (ink dark), tinted by the map where it is strongly coloured.
        const gray = 255 * (1 - 0.75 * base[i]);
        const a = intensity(scale, values[i]);
        out = out.map((c) => Math.round(a * c + (1 - a) * gray)) as [number, number, number];
      }
      image.data.set([out[0], out[1], out[2], 255], i * 4);
    }
    ctx.putImageData(image, 0, 0);
  }, [values, width, height, scale, base, overlay, image01]);
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
      data-palette={scale?.palette ?? image01 ?? undefined}
      data-domain={scale ? scale.domain.join(',') : '0,1'}
    />
  );
});
