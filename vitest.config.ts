import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // SWC instead of esbuild: Nest's DI needs emitDecoratorMetadata.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    // Exact names: '@homing/webhooks' must not also rewrite '@homing/webhooks/internal'.
    alias: [
      { find: /^@homing\/webhooks$/, replacement: fileURLToPath(new URL('./libs/webhooks/src/index.ts', import.meta.url)) },
      { find: /^@homing\/webhooks\/internal$/, replacement: fileURLToPath(new URL('./libs/webhooks/src/internal.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['libs/**/src/**/*.spec.ts', 'apps/**/src/**/*.spec.ts', 'test/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Fails any test whose in-process dispatcher answered outside Svix's published shapes.
    setupFiles: ['test/support/contract/contract.setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time even on two cores (Vitest's default there is one): most of a file's time is
    // spent waiting on MariaDB, Redis, receivers and timers, and one at a time the suite passed 20 minutes.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest/results.json' }]] : ['default'],
  },
});
