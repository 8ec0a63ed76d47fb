// What the studio shows first: the digit a link names (opened by urlState), else the user's
// image kept by the last visit, else a bundled digit, explained, so no panel opens empty.
import { readKeptImage } from '../store/keptImage';
import { intakeBlob, openBundledDigit } from './bundledDigits';

/** The bundled digit the studio opens with (a held-out 3, light ink on dark as MNIST). */
export const OPENING_DIGIT = 'digit-3-1.png';

/**
 * Gives the opening image (it waits for the model); any image the user gives meanwhile wins.
 * Called at start-up, unless the link names a digit.
 */
export async function openFirstImage(): Promise<void> {
  const kept = await readKeptImage();
  if (kept && (await intakeBlob(kept.blob, kept.source, { unlessOther: true, restored: true }))) return;
  await openBundledDigit(OPENING_DIGIT, { unlessOther: true });
}
