// Chromium for the benchmarks. A production build of the studio in its own folder, tmp/bench-dist
// (built here when missing or older than the sources; dist/ belongs to `npm run test:e2e` and is
// never rebuilt under a running test), served by `vite preview` on a free port from 4180 up, and
// Debian's Chromium with the launch options of playwright.config.ts.
import { chromium, type Browser, type LaunchOptions, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import playwrightConfig from '../playwright.config';
import { PROJECT_ROOT } from '../src/node/modelFiles';
import type { StudioTestHook } from '../src/ui/testHook';

export type Snapshot = ReturnType<StudioTestHook['snapshot']>;

const OUT_DIR = join(PROJECT_ROOT, 'tmp', 'bench-dist');
const VITE = join(PROJECT_ROOT, 'node_modules', '.bin', 'vite');
const FIRST_PORT = 4180;

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** Builds the studio into tmp/bench-dist unless that build is newer than every input of it. */
export function ensureBuild(): void {
  const built = join(OUT_DIR, 'index.html');
  const inputs = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(PROJECT_ROOT, p));
  if (existsSync(built) && statSync(built).mtimeMs > Math.max(...inputs.map(newestChange))) return;
  console.error('Building the studio into tmp/bench-dist …');
  const result = spawnSync(VITE, ['build', '--outDir', OUT_DIR, '--emptyOutDir', '--logLevel', 'warn'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('vite build failed; see above.');
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(from: number): Promise<number> {
  for (let port = from; port < from + 50; port++) if (await portIsFree(port)) return port;
  throw new Error(`No free port in ${from}–${from + 49}.`);
}

async function startPreview(): Promise<{ server: ChildProcess; url: string }> {
  const port = await freePort(FIRST_PORT);
  const server = spawn(VITE, ['preview', '--outDir', OUT_DIR, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}/`;
  for (let waited = 0; waited < 30_000; waited += 250) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with code ${server.exitCode}.`);
    const up = await fetch(url).then((r) => r.ok, () => false);
    if (up) return { server, url };
    await new Promise((r) => setTimeout(r, 250));
  }
  server.kill();
  throw new Error(`vite preview did not answer on ${url} within 30 s.`);
}

export interface StudioBrowser {
  page: Page;
  snapshot(): Promise<Snapshot>;
  /** Console and page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Opens the studio at `?query` and waits until the page is idle: the model loaded, the digit
 * classified, its gradient map and the automatic RDE run done, the obfuscation strip drawn.
 */
export async function openStudio(query: string): Promise<StudioBrowser> {
  ensureBuild();
  const { server, url } = await startPreview();
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch(playwrightConfig.use?.launchOptions as LaunchOptions);
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // tsx compiles the functions handed to page.evaluate with esbuild's keepNames helper.
    await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await page.goto(`${url}?${query}`);
    await page.waitForFunction(() => {
      const s = (window as unknown as { __studio?: StudioTestHook }).__studio?.snapshot();
      return !!s && s.runs.gradient?.status === 'done' && s.rde.status === 'done' && s.rde.obfuscationScores !== null;
    }, null, { timeout: 300_000, polling: 250 });
    const open = browser;
    return {
      page,
      problems,
      snapshot: () => page.evaluate(() => (window as unknown as { __studio: StudioTestHook }).__studio.snapshot()),
      async close() {
        await open.close();
        server.kill();
      },
    };
  } catch (err) {
    await browser?.close();
    server.kill();
    throw err;
  }
}
