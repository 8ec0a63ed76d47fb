// The user's own image (a file, a paste, a drawing) is kept in this browser's IndexedDB, so a
// reload brings it back with the rest of the view (a bundled digit comes back from the link
// instead). Where IndexedDB is missing or refuses (private windows), nothing is kept and
// nothing is said: the studio works as before, without persistence.
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import { z } from 'zod';
import { create } from 'zustand';

export interface KeptImageState {
  /** The source name of the image kept for the next visit; null when none is kept. */
  source: string | null;
  /** The image on screen came back from the last visit. */
  restored: boolean;
}

export const useKeptImage = create<KeptImageState>()(() => ({ source: null, restored: false }));

const KEY = 'last-image';
/** IndexedDB may hang instead of failing (a blocked upgrade): a read waits this long at most. */
const READ_TIMEOUT_MS = 2000;

const storedImage = z.object({
  version: z.literal(1),
  source: z.string().min(1).max(300),
  blob: z.instanceof(Blob),
});
export type StoredImage = z.infer<typeof storedImage>;

let store: UseStore | null = null;
/** The object store, opened on first use (opening it throws where IndexedDB does not exist). */
function imageStore(): UseStore {
  store ??= createStore('explanation-studio', 'images');
  return store;
}

/** Keeps the image for the next visit, replacing the one kept before. */
export async function keepImage(blob: Blob, source: string): Promise<void> {
  const record: StoredImage = { version: 1, source, blob };
  try {
    await set(KEY, record, imageStore());
    useKeptImage.setState({ source, restored: false });
  } catch {
    useKeptImage.setState({ source: null, restored: false });
  }
}

/** The image kept by the last visit, or null (none, unreadable, or no IndexedDB here). */
export async function readKeptImage(): Promise<StoredImage | null> {
  try {
    const value = await Promise.race([
      get<unknown>(KEY, imageStore()),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), READ_TIMEOUT_MS)),
    ]);
    const parsed = storedImage.safeParse(value);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The kept image is on screen again. */
export function markRestored(source: string): void {
  useKeptImage.setState({ source, restored: true });
}

/** Forgets the kept image (the "Forget it" button, or another image that is not the user's). */
export async function forgetKeptImage(): Promise<void> {
  try {
    await del(KEY, imageStore());
  } catch {
    // Nothing was kept where IndexedDB fails.
  } finally {
    // The note goes once the image is gone from the store: a reload right after cannot bring it back.
    useKeptImage.setState({ source: null, restored: false });
  }
}
