import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

/** Builds the portal (apps/portal/dist) unless it is there: CI runs `npm test` right after `npm ci`. */
export async function ensurePortalBuilt(): Promise<void> {
  if (existsSync(join(ROOT, 'apps/portal/dist/index.html'))) return;
  await promisify(execFile)('npm', ['run', 'build', '-w', '@homing/portal'], { cwd: ROOT, timeout: 120_000 });
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
