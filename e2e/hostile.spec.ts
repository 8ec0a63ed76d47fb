// The hostile-input battery (issue 9, "A battery in the repository"): images, links, runs and the
// page's security policy. Every case says what the user sees (the exact message), that what they
// had is kept, that the page still classifies a bundled digit, and that the worker holds as many
// tensors at rest, with the same digit shown, as before the case. Models: hostileModels.spec.ts.
// The cases share one page (hostileFixtures.ts), so the battery runs in minutes.
import { readFileSync } from 'node:fs';
import { studioPage, type Snapshot } from './studio';
import { animatedPng } from './imageFixtures';
import {
  test, expect, DIGIT_ONE, animatedGif, bombPng, cmykJpeg, exifRotatedJpeg, grayBarPng, lyingHeaderPng,
  useBombSvg, EXTERNAL_IMAGE_SVG, FOREIGN_OBJECT_SVG, SCRIPT_SVG, USE_CYCLE_SVG, type HostileStudio,
} from './hostileFixtures';

const HTML_NAME = '<img src=x onerror=alert(1)>.png';
const undecodable = (name: string, size: string) => `${name} declares ${size} pixels, but this browser could not decode it (damaged or unsupported data). The previous image is kept.`;
const unreadable = (name: string) => `${name} is not an image this browser can read (PNG, JPEG, WebP, GIF, BMP, SVG are). The previous image is kept.`;
const notDrawn = (name: string, why: string) => `${name} was not drawn: ${why} The previous image is kept.`;

/** Rows and columns of the 28 x 28 model input that hold ink: a vertical bar is tall and thin. */
function inkExtent(s: Snapshot): { rows: number; cols: number } {
  const px = s.modelInput ?? [];
  let rows = 0;
  let cols = 0;
  for (let k = 0; k < 28; k++) {
    if (px.slice(k * 28, k * 28 + 28).some((v) => v > 0.5)) rows++;
    if (Array.from({ length: 28 }, (_, r) => px[r * 28 + k]).some((v) => v > 0.5)) cols++;
  }
  return { rows, cols };
}

/** What the file shows, under the preview. */
const caption = (studio: HostileStudio) => studio.intake.caption;

interface ImageCase {
  name: string;
  file: string;
  type: string;
  bytes: () => Buffer | Promise<Buffer>;
  /** Dropped on the drop zone rather than chosen with the file dialog. */
  drop?: boolean;
  /** Refused: the whole message. */
  refused?: string | RegExp;
  /** Or classified: the note shown (null: none), the class, and anything else to check. */
  shown?: { note: string | null; predicted?: number; check?: (s: Snapshot, studio: HostileStudio) => Promise<void> };
  /** The refusal or the map must come within this time (ms). */
  withinMs?: number;
  /** Console errors the case provokes on purpose (the page's CSP reporting what it blocked). */
  consoleErrors?: RegExp;
}

const digitSeven = readFileSync('public/digits/digit-7-0.png');

const imageCases: ImageCase[] = [
  { name: 'text bytes named .png', file: 'fake.png', type: 'image/png', bytes: () => Buffer.from('this is not a PNG, whatever its name says'), refused: unreadable('fake.png') },
  { name: 'truncated PNG (a bundled digit cut in half)', file: 'truncated.png', type: 'image/png', bytes: () => digitSeven.subarray(0, digitSeven.length >> 1), refused: undecodable('truncated.png', '112 x 112') },
  { name: 'PNG header claims 64 x 6400 over 64 x 64 of data', file: 'tall-header.png', type: 'image/png', bytes: () => lyingHeaderPng(64, 6400), refused: undecodable('tall-header.png', '64 x 6400') },
  {
    // libpng ignores image data past the size in the header: the browser shows the top 16 rows.
    name: 'PNG header claims 64 x 16 over 64 x 64 of data',
    file: 'short-header.png',
    type: 'image/png',
    bytes: () => lyingHeaderPng(64, 16),
    shown: { note: null, check: async (_s, studio) => expect(caption(studio)).toHaveText('short-header.png · 64 x 16') },
  },
  {
    // 16384 x 16384 of zeros: the browser would decode it (1 GiB of RGBA, ~4 s); the header's size is refused first.
    name: 'decompression bomb 16384 x 16384 (1 GiB decoded)',
    file: 'bomb16k.png',
    type: 'image/png',
    bytes: () => bombPng(16384),
    refused: 'bomb16k.png declares 16384 x 16384 pixels (268 megapixels); the studio reads images of up to 100 megapixels. The previous image is kept.',
    withinMs: 5_000,
  },
  {
    // 30000 x 30000 of zeros is over what the browser decodes (2^31 bytes of RGBA). The refusal
    // must say so: the file is a PNG, so "not an image this browser can read (PNG, …)" is wrong.
    name: 'decompression bomb 30000 x 30000 (3.6 GB decoded)',
    file: 'bomb30k.png',
    type: 'image/png',
    bytes: () => bombPng(30000),
    refused: /^bomb30k\.png (?!is not an image).*30000 x 30000.* The previous image is kept\.$/,
    withinMs: 10_000,
  },
  { name: 'animated GIF: the first frame', file: 'animated.gif', type: 'image/gif', bytes: () => animatedGif(), shown: { note: 'Animated image: the first frame is used.', predicted: 1 } },
  { name: 'animated PNG: the first frame', file: 'animated.png', type: 'image/png', bytes: () => animatedPng(), shown: { note: 'Animated image: the first frame is used.', predicted: 1 } },
  {
    // A horizontal bar stored 64 x 48, EXIF Orientation 6: the browser turns it upright, a vertical bar.
    name: 'EXIF-rotated JPEG: the browser applies the orientation',
    file: 'rotated.jpg',
    type: 'image/jpeg',
    bytes: exifRotatedJpeg,
    shown: {
      note: null,
      predicted: 1,
      check: async (s, studio) => {
        await expect(caption(studio)).toHaveText('rotated.jpg · 48 x 64');
        const { rows, cols } = inkExtent(s);
        expect(rows).toBeGreaterThan(3 * cols);
      },
    },
  },
  { name: '16-bit gray PNG', file: 'deep.png', type: 'image/png', bytes: () => grayBarPng(64, 64, 16), shown: { note: null, predicted: 1 } },
  {
    name: 'CMYK JPEG (Adobe, inverted): converted to RGB by the browser',
    file: 'cmyk.jpg',
    type: 'image/jpeg',
    bytes: cmykJpeg,
    shown: { note: null, predicted: 1, check: async (_s, studio) => expect(caption(studio)).toHaveText('cmyk.jpg · 64 x 64') },
  },
  {
    name: 'SVG: <use> bomb 6 deep (10^6 elements)',
    file: 'use-bomb.svg',
    type: 'image/svg+xml',
    drop: true,
    bytes: () => Buffer.from(useBombSvg(6)),
    refused: notDrawn('use-bomb.svg', 'Drawn, it would hold more than 50,000 elements (nested <use>), which would freeze the page.'),
    withinMs: 2_000,
  },
  {
    name: 'SVG: <use> cycle',
    file: 'use-cycle.svg',
    type: 'image/svg+xml',
    drop: true,
    bytes: () => Buffer.from(USE_CYCLE_SVG),
    refused: notDrawn('use-cycle.svg', 'Its <use> elements refer to each other in a cycle.'),
    withinMs: 2_000,
  },
  {
    name: 'SVG: <foreignObject>',
    file: 'foreign.svg',
    type: 'image/svg+xml',
    drop: true,
    bytes: () => Buffer.from(FOREIGN_OBJECT_SVG),
    refused: notDrawn('foreign.svg', 'It embeds HTML (<foreignObject>), whose pixels the browser does not let a page read. Export it as PNG and drop that.'),
  },
  {
    // Parsing it for the safety check makes Chromium report the onload handler as blocked by the
    // CSP (it would not run anyway: a parsed document and an <img> run no scripts).
    name: 'SVG with <script> and onload: drawn, nothing runs',
    file: 'script.svg',
    type: 'image/svg+xml',
    drop: true,
    bytes: () => Buffer.from(SCRIPT_SVG),
    consoleErrors: /Executing inline event handler violates the following Content Security Policy directive 'script-src 'self' 'wasm-unsafe-eval''/,
    shown: {
      note: 'SVG drawn at 200 x 200 pixels.',
      predicted: 1,
      check: async (_s, studio) => {
        await studio.page.waitForTimeout(300);
        expect(await studio.page.evaluate(() => (window as unknown as { __svgScriptRan?: boolean }).__svgScriptRan)).toBeUndefined();
      },
    },
  },
  {
    // A request to 203.0.113.7 would fail the test (the fixture watches every request).
    name: 'SVG with external <image href="http://…">: drawn, no request leaves the host',
    file: 'external.svg',
    type: 'image/svg+xml',
    drop: true,
    bytes: () => Buffer.from(EXTERNAL_IMAGE_SVG),
    shown: { note: 'SVG drawn at 200 x 200 pixels.', predicted: 1, check: async (_s, studio) => studio.page.waitForTimeout(500) },
  },
  {
    name: 'file name with HTML, not an image: the name is text',
    file: HTML_NAME,
    type: 'image/png',
    bytes: () => Buffer.from('not an image'),
    refused: unreadable(HTML_NAME),
  },
  {
    name: 'file name with HTML, a digit: the name is text',
    file: HTML_NAME,
    type: 'image/png',
    drop: true,
    bytes: () => digitSeven,
    shown: { note: null, predicted: 7, check: async (_s, studio) => expect(caption(studio)).toHaveText(`${HTML_NAME} · 112 x 112`) },
  },
];

test.describe('hostile images: a clear message, the previous image kept, nothing leaked', () => {
  for (const c of imageCases) {
    test(c.name, async ({ studio, intake, header }) => {
      const { page } = studio;
      if (c.consoleErrors) studio.expectConsoleErrors(c.consoleErrors);
      const rest = await studio.atRest();
      const before = await studio.snapshot();
      const modelName = await studio.modelName();
      const bytes = await c.bytes();
      const t0 = Date.now();
      if (c.drop) await intake.drop(c.file, c.type, bytes);
      else await intake.choose(c.file, c.type, bytes);
      if (c.refused !== undefined) {
        await studio.hook.waitFor((s) => s.message?.kind === 'error', undefined, { timeout: 60_000 });
        const ms = Date.now() - t0;
        test.info().annotations.push({ type: 'refused after', description: `${ms} ms` });
        const after = await studio.snapshot();
        if (typeof c.refused === 'string') expect(after.message?.text).toBe(c.refused);
        else expect(after.message?.text).toMatch(c.refused);
        await expect(header.error).toContainText(after.message!.text);
        if (c.withinMs) expect(ms).toBeLessThan(c.withinMs);
        // Kept: the image, its class, the model.
        expect(after.source).toBe(before.source);
        expect(after.predicted).toBe(before.predicted);
        expect(after.logits).toEqual(before.logits);
      } else {
        const after = await studio.waitForMap(c.file);
        const ms = Date.now() - t0;
        test.info().annotations.push({ type: 'classified after', description: `${ms} ms` });
        if (c.withinMs) expect(ms).toBeLessThan(c.withinMs);
        expect(after.message).toEqual(c.shown!.note === null ? null : { kind: 'info', text: c.shown!.note });
        if (c.shown!.predicted !== undefined) expect(after.predicted).toBe(c.shown!.predicted);
        await c.shown!.check?.(after, studio);
      }
      expect(await studio.modelName()).toBe(modelName);
      // Markup in a name or a file stays text.
      await expect(page.locator('img[src="x"], .messages img, figcaption img')).toHaveCount(0);
      expect(await studio.restCount()).toBe(rest);
    });
  }
});

interface LinkCase {
  query: string;
  /** The message once the page has loaded (null: none). */
  onLoad: string | null;
  /** The message once a digit is shown (checked when given). */
  withDigit?: string | null;
  check?: (s: Snapshot) => void;
}

/** What a link's values got wrong stays until dismissed (persistent), also while its digit opens. */
function linkMessage(text: string) {
  return { kind: 'error', text, ...(text.startsWith('Ignored in the link') ? { persistent: true } : {}) };
}

const linkCases: LinkCase[] = [
  { query: 'rank=4096', onLoad: 'Ignored in the link: rank=4096 (the reference distribution holds rank 64 at most).', check: (s) => expect(s.rde.settings.rank).toBe(0) },
  { query: 'digit=digit-99-99.png', onLoad: 'The link names a test digit digit-99-99.png that the studio does not have (it has digit-0-0.png to digit-9-1.png).', check: (s) => expect(s.source).toBe(DIGIT_ONE) },
  { query: 'lambda=-1', onLoad: 'Ignored in the link: lambda=-1 (must be a number from 0 to 10000).', check: (s) => expect(s.rde.settings.lambda).toBe(0.5) },
  { query: 'mode=%3Cscript%3E', onLoad: 'Ignored in the link: mode=<script> (must be one of diag, lowrank, lowrank-diag, mc).', check: (s) => expect(s.rde.settings.mode).toBe('diag') },
  // The class is checked against the model once there is a classification: the page opens with an image, so at once.
  { query: 'class=99', onLoad: 'Ignored in the link: class=99 (the model has 10 classes).', withDigit: 'Ignored in the link: class=99 (the model has 10 classes).', check: (s) => expect(s.runs.gradient.target).toBe(1) },
  // An unknown backend is named and the automatic choice taken.
  { query: 'backend=bogus', onLoad: 'Ignored in the link: backend=bogus (must be one of auto, webgpu, webgl, wasm, cpu).', withDigit: 'Ignored in the link: backend=bogus (must be one of auto, webgpu, webgl, wasm, cpu).', check: (s) => expect(s.backend).toBe(s.autoChoice) },
];

test.describe('hostile links: each bad value is named and ignored, the rest of the page works', () => {
  for (const c of linkCases) {
    test(`?${decodeURIComponent(c.query)}`, async ({ studio, header }) => {
      const { page } = studio;
      const rest = await studio.atRest();
      await studio.open(`/?${c.query}`);
      if (c.onLoad === null) {
        // Give a late message (the rank is checked when the model arrives) the time to come.
        await page.waitForTimeout(500);
        expect((await studio.snapshot()).message).toBeNull();
      } else {
        await expect(header.error).toContainText(c.onLoad);
        expect((await studio.snapshot()).message).toEqual(linkMessage(c.onLoad));
        expect(c.onLoad).not.toContain('previous image is kept');
      }
      // No script came in with the link.
      expect(await page.evaluate(() => Array.from(document.scripts).filter((s) => !s.src).length)).toBe(0);
      expect(await studio.restCount()).toBe(rest);
      const s = await studio.snapshot();
      if (c.withDigit !== undefined) expect(s.message).toEqual(c.withDigit === null ? null : linkMessage(c.withDigit));
      expect(s.predicted).toBe(1);
      c.check?.(s);
    });
  }
});

test.describe('hostile runs: storms, soaks, reloads, tabs and backend switches leave nothing behind', () => {
  test('a cancel storm: λ changed 30 times quickly, then one run finishes and the tensors are back', async ({ studio, rde }) => {
    const { page } = studio;
    const rest = await studio.atRest();
    await studio.startLongRde(300);
    const lambdas = Array.from({ length: 30 }, (_, k) => Number((0.1 * (k + 1)).toFixed(1)));
    for (const [k, lambda] of lambdas.entries()) {
      await rde.setLambda(lambda);
      // Every third change waits long enough for its run to start, so runs are cancelled mid-way too.
      if (k % 3 === 2) await page.waitForTimeout(150);
    }
    await rde.setIterations(20);
    const s = await studio.waitForRde();
    test.info().annotations.push({ type: 'storm', description: `${s.rde.points} RDE points on the plane after 32 settings changes (the other runs were cancelled or coalesced)` });
    expect(s.rde.settings.lambda).toBe(3);
    expect(s.rde.error).toBeNull();
    expect(s.message).toBeNull();
    await expect(rde.status).toHaveText(/^Done: \d+ iterations$/);
    expect(await studio.tensorCount()).toBe(rest);
    expect(await studio.restCount()).toBe(rest);
  });

  test('a soak: 100 bundled digits in a row, each classified; tensors and heap before and after', async ({ studio, intake }) => {
    test.setTimeout(240_000);
    const { page } = studio;
    const digits = JSON.parse(readFileSync('public/digits/index.json', 'utf8')) as Array<{ file: string; label: number }>;
    const cdp = await page.context().newCDPSession(page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const usage = await cdp.send('Runtime.getHeapUsage');
      const reported = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null);
      return { usedSize: usage.usedSize, usedJSHeapSize: reported };
    };
    const rest = await studio.atRest();
    const heapBefore = await heap();
    const t0 = Date.now();
    const wrong: string[] = [];
    for (let k = 0; k < 100; k++) {
      const d = digits[k % digits.length];
      const s = await intake.showDigit(d.file);
      if (s.predicted !== d.label) wrong.push(`${d.file}: ${s.predicted}`);
    }
    const soakMs = Date.now() - t0;
    const after = await studio.restCount();
    const heapAfter = await heap();
    const figures = { runs: 100, soakMs, tensorsBefore: rest, tensorsAfter: after, heapBefore, heapAfter };
    test.info().annotations.push({ type: 'soak', description: JSON.stringify(figures) });
    console.log(`soak: ${JSON.stringify(figures)}`);
    expect(wrong).toEqual([]);
    expect(after).toBe(rest);
    expect((await studio.snapshot()).message).toBeNull();
    // The page's heap after collection grows by less than 2 MB over 100 inputs (no per-input leak).
    expect(heapAfter.usedSize - heapBefore.usedSize).toBeLessThan(2 * 2 ** 20);
    await cdp.detach();
  });

  test('a reload while RDE runs: the page comes back clean and classifies', async ({ studio }) => {
    const { page } = studio;
    const rest = await studio.atRest();
    await studio.startLongRde(300);
    // The address bar names the digit shown, so the reloaded page opens with it, freshly computed.
    const linked = new URL(page.url()).searchParams.get('digit');
    await page.reload();
    await studio.hook.waitForModel();
    if (linked) await studio.waitForMap(`Test digit ${linked.match(/^digit-(\d+)-/)![1]} (${linked})`);
    const s = await studio.snapshot();
    expect(s.source).toBe(linked ? `Test digit ${linked.match(/^digit-(\d+)-/)![1]} (${linked})` : null);
    expect(s.message).toBeNull();
    expect(['idle', 'running', 'done']).toContain(s.rde.status);
    expect(await studio.restCount()).toBe(rest);
    expect((await studio.snapshot()).message).toBeNull();
  });

  test('two tabs of the same context both classify, each with its own worker', async ({ studio, intake }) => {
    const { page } = studio;
    const rest = await studio.atRest();
    const other = await page.context().newPage();
    studio.watch(other);
    const otherStudio = studioPage(other, []);
    await otherStudio.open();
    await Promise.all([intake.pickDigit('digit-2-0.png'), otherStudio.intake.pickDigit('digit-7-0.png')]);
    await Promise.all([studio.waitForMap('Test digit 2 (digit-2-0.png)'), otherStudio.waitForMap('Test digit 7 (digit-7-0.png)')]);
    expect((await studio.snapshot()).predicted).toBe(2);
    expect((await otherStudio.snapshot()).predicted).toBe(7);
    expect((await otherStudio.intake.showDigit('digit-4-0.png')).predicted).toBe(4);
    expect((await studio.snapshot()).source).toBe('Test digit 2 (digit-2-0.png)');
    await other.close();
    expect(await studio.restCount()).toBe(rest);
  });

  test('a backend switch while RDE runs: no error left, RDE finishes on the new backend', async ({ studio, rde, header }) => {
    test.setTimeout(180_000);
    const rest = await studio.atRest();
    const backend = (await studio.snapshot()).backend;
    await studio.startLongRde(300);
    await header.selectBackend('cpu');
    // The interrupted run starts again on the CPU backend; 20 iterations there keep the battery short.
    await studio.hook.waitFor((s) => s.backend === 'cpu' && s.rde.status === 'running' && s.rde.iterations > 0, undefined, { timeout: 60_000 });
    await rde.setIterations(20);
    const s = await studio.waitForRde();
    expect(s.backend).toBe('cpu');
    expect(s.rde.error).toBeNull();
    expect(s.runs.gradient.status).toBe('done');
    expect(s.message).toBeNull();
    await expect(header.backendActive).toHaveText('CPU');
    expect(await studio.tensorCount()).toBe(rest);
    await header.selectBackend('auto');
    await studio.hook.waitFor((s, b) => s.backend === b, backend);
    expect(await studio.restCount()).toBe(rest);
  });
});

test.describe('the page\'s security policy', () => {
  test('"/" is served with CSP, nosniff and no-referrer headers, and the built page carries its CSP', async ({ studio }) => {
    const res = await studio.page.request.get('/');
    const headers = res.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    const meta = (await res.text()).match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/);
    expect(meta?.[1].replace(/&#39;/g, "'")).toContain("script-src 'self' 'wasm-unsafe-eval'");
  });

  test('an injected inline script does not run, and a digit still classifies', async ({ studio }) => {
    studio.expectConsoleErrors(/Content Security Policy/);
    const { page } = studio;
    const rest = await studio.atRest();
    const violations = page.evaluate(() => new Promise<string>((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
    }));
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true;';
      document.body.appendChild(script);
    });
    expect(await violations).toMatch(/^script-src/);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    expect(await studio.restCount()).toBe(rest);
  });
});
