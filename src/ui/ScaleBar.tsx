import { useId } from 'react';
import { colourScale } from './colour';
import type { MapScale } from './mapScale';

/**
 * A map's colour bar from domain[0] to domain[1] (ui/mapScale.ts), drawn as an SVG gradient
 * whose id is unique per instance, so several legends can share a page.
 */
export function ScaleBar({ scale, width, height, responsive = false }: { scale: MapScale; width: number; height: number; responsive?: boolean }) {
  // useId's characters are not all valid in url(#…); keep the safe ones.
  const id = `scale-bar-${useId().replace(/[^\w-]/g, '')}`;
  const colour = colourScale(scale);
  const [lo, hi] = scale.domain;
  const stops = Array.from({ length: 11 }, (_, k) => lo + ((hi - lo) * k) / 10);
  const size = responsive ? { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none' } : { width, height };
  return (
    <svg {...size} aria-hidden="true" data-palette={scale.palette}>
      <defs>
        <linearGradient id={id}>
          {stops.map((v, k) => <stop key={k} offset={`${k * 10}%`} stopColor={colour(v)} />)}
        </linearGradient>
      </defs>
      <rect x="0" y="0" width={width} height={height} fill={`url(#${id})`} stroke="#555" />
    </svg>
  );
}
