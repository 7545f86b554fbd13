#!/usr/bin/env node
// The `homing` CLI. Its TypeScript is compiled to ../dist by `npm run build`; on a fresh clone (or after
// its sources changed) this entry compiles it first, so `npm ci && npx homing --help` works as it is.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'dist', 'main.js');

function newestSource(dir) {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((item) => (item.isDirectory() ? newestSource(join(dir, item.name)) : statSync(join(dir, item.name)).mtimeMs)));
}

function builtAt() {
  try {
    return statSync(entry).mtimeMs;
  } catch {
    return 0;
  }
}

if (builtAt() < newestSource(join(root, 'src'))) {
  process.stderr.write('homing: compiling the CLI (npm run build does this too)...\n');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.app.json')], { stdio: 'inherit' });
}
await import(entry);
