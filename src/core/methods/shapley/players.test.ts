import { describe, expect, it } from 'vitest';
import { gridPlayers, playerSizes, spreadToPixels, superpixelPlayers } from './players';

describe('players', () => {
  it('a 7-pixel grid on 28x28 is 16 players of 49 pixels, numbered row by row', () => {
    const players = gridPlayers(28, 28, 7);
    expect(players.count).toBe(16);
    expect(Array.from(playerSizes(players))).toEqual(new Array(16).fill(49));
    expect(players.ids[0]).toBe(0);
    expect(players.ids[27]).toBe(3);
    expect(players.ids[7 * 28]).toBe(4);
    expect(players.ids[28 * 28 - 1]).toBe(15);
  });

  it('a patch that does not divide the image leaves smaller patches at the right and bottom', () => {
    const players = gridPlayers(28, 28, 5);
    expect(players.count).toBe(36);
    const sizes = playerSizes(players);
    expect(sizes[0]).toBe(25);
    expect(sizes[5]).toBe(15);
    expect(sizes[35]).toBe(9);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(784);
  });

  it('spreads each value over its player\'s components: Σ map = Σ values, value / size per component', () => {
    const players = gridPlayers(3, 5, 2);
    const values = [6, -3, 1.5, 4, 2, -1];
    const map = spreadToPixels(values, players, 2);
    expect(map.length).toBe(30);
    expect(map.reduce((a, b) => a + b, 0)).toBeCloseTo(9.5, 6);
    // Player 0 holds pixels (0,0),(0,1),(1,0),(1,1): 4 pixels x 2 channels = 8 components.
    expect(map[0]).toBeCloseTo(6 / 8, 7);
    expect(map[1]).toBeCloseTo(6 / 8, 7);
    // Player 5 is the bottom-right pixel alone: 2 components.
    expect(map[28]).toBeCloseTo(-0.5, 7);
  });

  it('superpixel players take SLIC\'s labels', () => {
    const image = Float32Array.from({ length: 100 }, (_, p) => (p % 10 < 4 ? 0 : 1));
    const players = superpixelPlayers(image, [10, 10, 1], 4, 0.3);
    expect(players.count).toBeGreaterThanOrEqual(3);
    expect(players.ids.length).toBe(100);
    expect(Math.max(...players.ids)).toBe(players.count - 1);
  });

  it('rejects a patch size that is not a whole number ≥ 1', () => {
    expect(() => gridPlayers(28, 28, 0)).toThrow('The patch size must be a whole number ≥ 1; got 0.');
  });
});
