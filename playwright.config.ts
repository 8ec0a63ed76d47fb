import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

// Debian's Chromium (installed by .ci/run); Playwright's own browser download cannot run here.
const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

// E2E_PORT and E2E_DIST let two runs share the machine (each serves its own build on its own port).
const port = Number(process.env.E2E_PORT ?? 4173);
const dist = process.env.E2E_DIST ?? 'dist';

export default defineConfig({
  testDir: 'e2e',
  outputDir: process.env.E2E_RESULTS ?? 'test-results',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
  // Tests named "@slow" need minutes on software WebGPU: `npm run test:slow` runs them (E2E_SLOW=1).
  ...(process.env.E2E_SLOW ? { grep: /@slow/ } : { grepInvert: /@slow/ }),
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    viewport: { width: 1400, height: 950 },
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox', '--disable-gpu-sandbox', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-default-apps', '--disable-features=Translate,OptimizationHints,MediaRouter',
      ],
    },
  },
  webServer: {
    command: `npx vite preview --outDir ${dist} --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
