import { test, expect, dropFile } from './studio';
import { animatedPng, barPng, SEVEN_SVG } from './imageFixtures';

test.describe('bad input gets a clear message and the previous input stays', () => {
  test.beforeEach(async ({ studio }) => {
    await studio.page.getByTestId('digit-digit-3-0.png').click();
    await studio.waitForMap('Test digit 3 (digit-3-0.png)');
  });

  async function expectKept(studio: { snapshot(): Promise<{ source: string | null; predicted: number | null }> }) {
    const s = await studio.snapshot();
    expect(s.source).toBe('Test digit 3 (digit-3-0.png)');
    expect(s.predicted).toBe(3);
  }

  test('a text file', async ({ studio }) => {
    await dropFile(studio.page, 'notes.txt', 'text/plain', Buffer.from('not an image at all'));
    await expect(studio.page.getByTestId('message-error')).toContainText('notes.txt is not an image this browser can read');
    await expect(studio.page.getByTestId('message-error')).toContainText('The previous image is kept.');
    await expectKept(studio);
    await expect(studio.page.getByTestId('heatmap')).toBeVisible();
  });

  test('an empty file', async ({ studio }) => {
    await dropFile(studio.page, 'empty.png', 'image/png', Buffer.alloc(0));
    await expect(studio.page.getByTestId('message-error')).toContainText('empty.png is empty.');
    await expectKept(studio);
  });

  test('a blank image', async ({ studio }) => {
    await studio.page.evaluate(async () => {
      const c = new OffscreenCanvas(60, 60);
      const ctx = c.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 60, 60);
      const blob = await c.convertToBlob({ type: 'image/png' });
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'blank.png', { type: 'image/png' }));
      document.querySelector('[data-testid="dropzone"]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect(studio.page.getByTestId('message-error')).toContainText('blank.png: No digit found');
    await expectKept(studio);
  });

  test('a 10,000 x 10,000 image is scaled down and classified', async ({ studio }) => {
    await dropFile(studio.page, 'huge.png', 'image/png', barPng(10_000, 10_000));
    const s = await studio.waitForMap('huge.png');
    expect(s.predicted).toBe(1);
    await expect(studio.page.getByTestId('message-info')).toContainText('Scaled down from 10000 x 10000 to 1024 x 1024 pixels.');
  });

  test('an animated image uses its first frame and says so', async ({ studio }) => {
    await dropFile(studio.page, 'animated.png', 'image/png', animatedPng());
    const s = await studio.waitForMap('animated.png');
    expect(s.predicted).toBe(1);
    await expect(studio.page.getByTestId('message-info')).toContainText('Animated image: the first frame is used.');
  });

  test('an SVG is drawn and classified', async ({ studio }) => {
    await dropFile(studio.page, 'seven.svg', 'image/svg+xml', Buffer.from(SEVEN_SVG));
    const s = await studio.waitForMap('seven.svg');
    expect(s.predicted).toBe(7);
    await expect(studio.page.getByTestId('message-info')).toContainText('SVG drawn at 200 x 200 pixels.');
  });
});
