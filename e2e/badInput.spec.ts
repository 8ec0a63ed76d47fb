import { test, expect, type StudioPage } from './studio';
import { animatedPng, barPng, SEVEN_SVG } from './imageFixtures';

test.describe('bad input gets a clear message and the previous input stays', () => {
  test.beforeEach(async ({ intake }) => {
    await intake.showDigit('digit-3-0.png');
  });

  async function expectKept(studio: StudioPage) {
    const s = await studio.snapshot();
    expect(s.source).toBe('Test digit 3 (digit-3-0.png)');
    expect(s.predicted).toBe(3);
  }

  test('a text file', async ({ studio, intake, header, relevance }) => {
    await intake.drop('notes.txt', 'text/plain', Buffer.from('not an image at all'));
    await expect(header.error).toContainText('notes.txt is not an image this browser can read');
    await expect(header.error).toContainText('The previous image is kept.');
    await expectKept(studio);
    await expect(relevance.heatmap).toBeVisible();
  });

  test('an empty file', async ({ studio, intake, header }) => {
    await intake.drop('empty.png', 'image/png', Buffer.alloc(0));
    await expect(header.error).toContainText('empty.png is empty.');
    await expectKept(studio);
  });

  test('a blank image', async ({ studio, header }) => {
    // A white PNG made by the browser itself, dropped as a drag would.
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
    await expect(header.error).toContainText('blank.png: No digit found');
    await expectKept(studio);
  });

  test('a 10,000 x 10,000 image is scaled down and classified', async ({ studio, intake, header }) => {
    await intake.drop('huge.png', 'image/png', barPng(10_000, 10_000));
    const s = await studio.waitForMap('huge.png');
    expect(s.predicted).toBe(1);
    await expect(header.info).toContainText('Scaled down from 10000 x 10000 to 1024 x 1024 pixels.');
  });

  test('an animated image uses its first frame and says so', async ({ studio, intake, header }) => {
    await intake.drop('animated.png', 'image/png', animatedPng());
    const s = await studio.waitForMap('animated.png');
    expect(s.predicted).toBe(1);
    await expect(header.info).toContainText('Animated image: the first frame is used.');
  });

  test('an SVG is drawn and classified', async ({ studio, intake, header }) => {
    await intake.drop('seven.svg', 'image/svg+xml', Buffer.from(SEVEN_SVG));
    const s = await studio.waitForMap('seven.svg');
    expect(s.predicted).toBe(7);
    await expect(header.info).toContainText('SVG drawn at 200 x 200 pixels.');
  });
});
