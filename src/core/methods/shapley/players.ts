import { slic } from '../../image/slic';

/**
 * The players of the Shapley family and LIME (METHODS.md 5): a partition of the image's pixels.
 * A pixel's channels always belong to the same player.
 */
export interface PlayerMap {
  /** Player id per pixel, row-major h*w, ids 0..count-1. */
  ids: Int32Array;
  count: number;
  height: number;
  width: number;
}

/** Square patches of `patch` pixels on a side, row by row; the last row/column of patches may be smaller. */
export function gridPlayers(height: number, width: number, patch: number): PlayerMap {
  if (!Number.isInteger(patch) || patch < 1) throw new Error(`The patch size must be a whole number ≥ 1; got ${patch}.`);
  const across = Math.ceil(width / patch);
  const ids = new Int32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) ids[y * width + x] = Math.floor(y / patch) * across + Math.floor(x / patch);
  }
  return { ids, count: Math.ceil(height / patch) * across, height, width };
}

/** SLIC superpixels of the input image (x without the batch axis, [h, w, c]). */
export function superpixelPlayers(x: Float32Array, shape: [number, number, number], segments: number, compactness: number): PlayerMap {
  const { labels, count } = slic(x, shape, { segments, compactness });
  return { ids: labels, count, height: shape[0], width: shape[1] };
}

/** Pixels per player. */
export function playerSizes(players: PlayerMap): Int32Array {
  const sizes = new Int32Array(players.count);
  for (const id of players.ids) sizes[id] += 1;
  return sizes;
}

/**
 * A relevance map [h, w, c] from player values: every component of a player gets the player's value
 * divided by the player's number of components (pixels · channels), so the map sums to Σ values
 * (for Shapley values: to v(N) − v(∅), the efficiency axiom) and reads as value per component.
 */
export function spreadToPixels(values: ArrayLike<number>, players: PlayerMap, channels: number): Float32Array {
  const sizes = playerSizes(players);
  const out = new Float32Array(players.ids.length * channels);
  players.ids.forEach((id, p) => out.fill(values[id] / (sizes[id] * channels), p * channels, (p + 1) * channels));
  return out;
}
