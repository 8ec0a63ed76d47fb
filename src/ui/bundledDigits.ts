import { submitImage, showMessage } from '../store/actions';
import { forgetKeptImage, keepImage, markRestored } from '../store/keptImage';
import { decodeImageFile, type DecodedImage } from './decodeImage';

/** The source name a bundled digit gets, and the file name read back from it (for links). */
export function bundledSource(label: number, file: string): string {
  return `Test digit ${label} (${file})`;
}

export function bundledFileOf(source: string | undefined): string | null {
  return source?.match(/^Test digit \d+ \((digit-\d+-\d+\.png)\)$/)?.[1] ?? null;
}

export interface IntakeOptions {
  /** The opening image: it gives way to any image the user gave meanwhile. */
  unlessOther?: boolean;
  /** The image kept by the last visit, given again. */
  restored?: boolean;
}

async function decodeOrSay(file: Blob, name: string): Promise<DecodedImage | null> {
  try {
    return await decodeImageFile(file, name);
  } catch (err) {
    showMessage('error', `${err instanceof Error ? err.message : String(err)} The previous image is kept.`);
    return null;
  }
}

/**
 * Classifies the user's image (a file, a paste, a drawing); once it classified it is kept in
 * this browser for the next visit. A decoding failure keeps the previous image.
 */
export async function intakeDecoded(decoded: DecodedImage, blob: Blob, name: string, opts: IntakeOptions = {}): Promise<boolean> {
  // A restored image is announced by the input panel's note (KeptImageNote), not the message
  // bar, so a message the link left (a bad value) stays.
  const classified = await submitImage(decoded.raw, { source: name, previewUrl: decoded.previewUrl, notes: decoded.notes }, { unlessOther: opts.unlessOther });
  if (classified && opts.restored) markRestored(name);
  else if (classified) void keepImage(blob, name);
  return classified;
}

/** Decodes the user's image blob and classifies it (see intakeDecoded). */
export async function intakeBlob(file: Blob, name: string, opts: IntakeOptions = {}): Promise<boolean> {
  const decoded = await decodeOrSay(file, name);
  return decoded ? intakeDecoded(decoded, file, name, opts) : false;
}

/**
 * Loads one of the bundled held-out digits by file name (digit-7-0.png). It comes back from the
 * link, so a user's image kept before is forgotten.
 */
export async function openBundledDigit(file: string, opts: Pick<IntakeOptions, 'unlessOther'> = {}): Promise<boolean> {
  const label = Number(file.match(/^digit-(\d+)-/)?.[1]);
  // The preview server answers any path with the page itself, so the index says what exists.
  const index = await fetch(new URL('digits/index.json', document.baseURI)).then((r) => r.json() as Promise<Array<{ file: string }>>, () => []);
  const res = index.some((d) => d.file === file) ? await fetch(new URL(`digits/${file}`, document.baseURI)) : null;
  if (!res?.ok) {
    showMessage('error', `The link names a test digit ${file} that the studio does not have (it has ${index.length ? `${index[0].file} to ${index[index.length - 1].file}` : 'none'}).`);
    return false;
  }
  const source = bundledSource(label, file);
  const decoded = await decodeOrSay(await res.blob(), source);
  if (!decoded) return false;
  const classified = await submitImage(decoded.raw, { source, previewUrl: decoded.previewUrl, notes: decoded.notes }, opts);
  if (classified) void forgetKeptImage();
  return classified;
}
