import { describe, expect, it } from 'vitest';
import { forgetKeptImage, keepImage, readKeptImage, useKeptImage } from './keptImage';

// Node has no IndexedDB, as a private window may not: keeping an image must fail quietly.
describe('kept image without IndexedDB', () => {
  it('keeps nothing, reads nothing and throws nothing', async () => {
    expect(typeof (globalThis as { indexedDB?: unknown }).indexedDB).toBe('undefined');
    await expect(keepImage(new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'drawing.png')).resolves.toBeUndefined();
    expect(useKeptImage.getState()).toEqual({ source: null, restored: false });
    await expect(readKeptImage()).resolves.toBeNull();
    await expect(forgetKeptImage()).resolves.toBeUndefined();
    expect(useKeptImage.getState()).toEqual({ source: null, restored: false });
  });
});
