import { useId } from 'react';
import { divergingScale } from './colour';

/**
 * The diverging colour bar from −limit (blue) to +limit (red), drawn as an SVG gradient whose id
 * is unique per instance, so several legends can share a page.
 */
export function DivergingBar({ limit, width, height, responsive = false }: { limit: number; width: number; height: number; responsive?: boolean }) {
  // useId's characters are not all valid in url(#…); keep the safe ones.
  const id = `diverging-bar-${useId().replace(/[^\w-]/g, '')}`;
  const scale = divergingScale(limit);
  const stops = Array.from({ length: 11 }, (_, k) => -limit + (2 * limit * k) / 10);
  const size = responsive ? { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none' } : { width, height };
  return (
    <svg {...size} aria-hidden="true">
      <defs>
        <linearGradient id={id}>
          {stops.map((v, k) => <stop key={k} offset={`${k * 10}%`} stopColor={scale(v)} />)}
        </linearGradient>
      </defs>
      <rect x="0" y="0" width={width} height={height} fill={`url(#${id})`} stroke="#555" />
    </svg>
  );
}
