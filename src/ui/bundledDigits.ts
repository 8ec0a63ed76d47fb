import { submitImage, showMessage } from '../store/actions';
import { decodeImageFile } from './decodeImage';

/** The source name a bundled digit gets, and the file name read back from it (for links). */
export function bundledSource(label: number, file: string): string {
  return `Test digit ${label} (${file})`;
}

export function bundledFileOf(source: string | undefined): string | null {
  return source?.match(/^Test digit \d+ \((digit-\d+-\d+\.png)\)$/)?.[1] ?? null;
}

/** Decodes an image blob and classifies it; a decoding failure keeps the previous image. */
export async function intakeBlob(file: Blob, name: string): Promise<void> {
  let decoded;
  try {
    decoded = await decodeImageFile(file, name);
  } catch (err) {
    showMessage('error', `${err instanceof Error ? err.message : String(err)} The previous image is kept.`);
    return;
  }
  await submitImage(decoded.raw, { source: name, previewUrl: decoded.previewUrl, notes: decoded.notes });
}

/** Loads one of the bundled held-out digits by file name (digit-7-0.png). */
export async function openBundledDigit(file: string): Promise<void> {
  const label = Number(file.match(/^digit-(\d+)-/)?.[1]);
  // The preview server answers any path with the page itself, so the index says what exists.
  const index = await fetch(new URL('digits/index.json', document.baseURI)).then((r) => r.json() as Promise<Array<{ file: string }>>, () => []);
  const res = index.some((d) => d.file === file) ? await fetch(new URL(`digits/${file}`, document.baseURI)) : null;
  if (!res?.ok) {
    showMessage('error', `The link names a test digit ${file} that the studio does not have (it has ${index.length ? `${index[0].file} to ${index[index.length - 1].file}` : 'none'}).`);
    return;
  }
  await intakeBlob(await res.blob(), bundledSource(label, file));
}
