// Test fixtures for the studio page: console errors and off-host requests are collected and
// must be empty at the end of every test; the typed window hook reads state.
import { test as base, expect, type Page } from '@playwright/test';
import type { StudioTestHook } from '../src/ui/testHook';

type Snapshot = ReturnType<StudioTestHook['snapshot']>;

export interface StudioPage {
  page: Page;
  snapshot(): Promise<Snapshot>;
  waitForMap(source?: string): Promise<Snapshot>;
  /** Waits until the RDE run has finished (status done) and returns the snapshot. */
  waitForRde(): Promise<Snapshot>;
  tensorCount(): Promise<number>;
  /** Console errors this test provokes on purpose (a simulated crash, a blocked script) are expected, not problems. */
  expectConsoleErrors(pattern: RegExp): void;
}

export const test = base.extend<{ studio: StudioPage }>({
  studio: async ({ page }, use) => {
    const problems: string[] = [];
    const expected: RegExp[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      const url = r.url();
      if (!/^(http:\/\/127\.0\.0\.1[:/]|blob:|data:)/.test(url)) problems.push(`request off the host: ${url}`);
    });
    await page.goto('/');
    await page.waitForFunction(() => (window as unknown as { __studio?: StudioTestHook }).__studio?.snapshot().modelLoaded === true);
    const snapshot = () => page.evaluate(() => (window as unknown as { __studio: StudioTestHook }).__studio.snapshot());
    const studio: StudioPage = {
      page,
      snapshot,
      async waitForMap(source) {
        await page.waitForFunction((src) => {
          const s = (window as unknown as { __studio: StudioTestHook }).__studio.snapshot();
          return (src === undefined || s.source === src) && s.runs.gradient?.status === 'done';
        }, source);
        return snapshot();
      },
      async waitForRde() {
        await page.waitForFunction(() => (window as unknown as { __studio: StudioTestHook }).__studio.snapshot().rde.status === 'done', null, { timeout: 110_000, polling: 200 });
        return snapshot();
      },
      tensorCount: () => page.evaluate(() => (window as unknown as { __studio: StudioTestHook }).__studio.tensorCount()),
      expectConsoleErrors: (pattern) => expected.push(pattern),
    };
    await use(studio);
    const unexpected = problems.filter((p) => !expected.some((re) => re.test(p)));
    expect(unexpected, unexpected.join('\n')).toEqual([]);
  },
});

export { expect };

/** Drops a file on the drop zone as a browser drag would. */
export async function dropFile(page: Page, name: string, mimeType: string, bytes: Buffer): Promise<void> {
  const dataTransfer = await page.evaluateHandle(({ name, mimeType, b64 }) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bin], name, { type: mimeType }));
    return dt;
  }, { name, mimeType, b64: bytes.toString('base64') });
  await page.dispatchEvent('[data-testid="dropzone"]', 'drop', { dataTransfer });
}

/** Pastes a file as the clipboard would deliver it. */
export async function pasteFile(page: Page, name: string, mimeType: string, bytes: Buffer): Promise<void> {
  await page.evaluate(({ name, mimeType, b64 }) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bin], name, { type: mimeType }));
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, { name, mimeType, b64: bytes.toString('base64') });
}
