import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Builds the portal (apps/portal/dist) unless it is there: CI runs `npm test` right after `npm ci`. Two
 * test files may ask at once (two run at a time): each builds into a directory of its own and renames
 * it into place, so neither ever serves a half-written build; the second rename finds one and gives up.
 */
export async function ensurePortalBuilt(): Promise<void> {
  const dist = join(ROOT, 'apps/portal/dist');
  if (existsSync(join(dist, 'index.html'))) return;
  const own = await mkdtemp(join(ROOT, 'apps/portal/.dist-'));
  try {
    await promisify(execFile)('npx', ['vite', 'build', '--outDir', own, '--emptyOutDir'], { cwd: join(ROOT, 'apps/portal'), timeout: 120_000 });
    await rename(own, dist).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(own, { recursive: true, force: true });
  }
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Debian's Chromium, headless, with a profile of its own that is removed afterwards, and nothing
 * reaching out on its own (no sync, updates, QUIC probes or first-run pages): the machines are offline.
 */
export async function launchChromium(viewport = { width: 1280, height: 860 }): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'homing-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
