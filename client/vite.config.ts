// Vite root is client/; static files come from the top-level public/ and the
// build lands in dist/client, which the daemon serves.

import { defineConfig } from 'vite';

const here = new URL('.', import.meta.url);

export default defineConfig({
  root: here.pathname,
  publicDir: new URL('../public/', here).pathname,
  // Relative asset URLs, so the UI also works mounted under a path behind a proxy.
  base: './',
  build: {
    outDir: new URL('../dist/client/', here).pathname,
    emptyOutDir: true,
    target: 'es2022',
    // Phaser alone is about 1.2 MB minified; one chunk, cached, is fine for a dashboard.
    chunkSizeWarningLimit: 2000,
  },
});
