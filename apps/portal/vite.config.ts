import { defineConfig } from 'vite';

// Preact through Oxc's own JSX transform: no framework plugin needed. Everything is bundled
// (no CDN, no web fonts): the portal must work on machines without internet.
export default defineConfig({
  base: '/portal/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
});
