/**
 * The seed handed to tfjs's random ops (randomNormal, randomUniform, truncatedNormal). tfjs reads
 * a seed of 0 as "no seed" (`seed ? seed : Math.random()` in tfjs-core's rand_util), so seed 0
 * gave different draws on every call: curves, Monte-Carlo distortions and randomised layers
 * were not reproducible at the studio's default seed. 0 maps to 2³², outside the 32-bit seeds
 * the studio accepts, so it stays distinct from every other seed; every other seed is unchanged.
 */
export function tfSeed(seed: number): number {
  return seed === 0 ? 2 ** 32 : seed;
}
