import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The studio's security policy, stated once: the build writes it into index.html as a meta tag
// and the preview server sends it as headers. Only the studio's own files run;
// images may also come from blob: (the user's image, object URLs) and data: (the empty
// favicon); 'wasm-unsafe-eval' lets the WASM backend compile its module.
const directives: Array<[string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  ['worker-src', "'self'"],
  ['connect-src', "'self'"],
  ['img-src', "'self' blob: data:"],
  ['style-src', "'self'"],
  ['font-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'none'"],
];

/** For the meta tag (frame-ancestors is not allowed there: browsers ignore it with an error). */
const CONTENT_SECURITY_POLICY = directives.map(([k, v]) => `${k} ${v}`).join('; ');

/** Headers for every response of the server that serves the built studio. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The built page carries its Content-Security-Policy as a meta tag too, so it holds on any static
 * host. Not in dev: the dev server's hot reload injects inline scripts.
 */
function securityMeta(): Plugin {
  return {
    name: 'studio-security-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  plugins: [react(), securityMeta()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1', headers: SECURITY_HEADERS },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
