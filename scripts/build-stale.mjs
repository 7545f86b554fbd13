#!/usr/bin/env node
// Builds the named projects (and what they need) whose sources are newer than their build, then
// nothing else: `npm start` on an unchanged tree starts at once. Usage: node scripts/build-stale.mjs portal dispatcher
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Each project: what it needs built first, its sources, the file its build writes last, and how to build it. */
const PROJECTS = {
  webhooks: { needs: [], sources: ['libs/webhooks/src', 'libs/webhooks/package.json', 'libs/webhooks/tsconfig.lib.json'], output: 'libs/webhooks/dist/index.js', build: ['npx', 'nest', 'build', 'webhooks'] },
  dispatcher: { needs: ['webhooks'], sources: ['apps/dispatcher/src', 'apps/dispatcher/tsconfig.app.json'], output: 'apps/dispatcher/dist/main.js', build: ['npx', 'nest', 'build', 'dispatcher'] },
  'example-consumer': { needs: ['webhooks'], sources: ['apps/example-consumer/src', 'apps/example-consumer/tsconfig.app.json'], output: 'apps/example-consumer/dist/main.js', build: ['npx', 'nest', 'build', 'example-consumer'] },
  portal: { needs: [], sources: ['apps/portal/src', 'apps/portal/index.html', 'apps/portal/public', 'apps/portal/vite.config.ts'], output: 'apps/portal/dist/index.html', build: ['npm', 'run', 'build', '-w', '@homing/portal'] },
};
const SHARED = ['package-lock.json', 'tsconfig.json'];

/** Newest modification time under the paths (0 when none exist). */
function newest(paths) {
  let latest = 0;
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    latest = Math.max(latest, stat.isDirectory() ? newest(readdirSync(path).map((name) => join(path, name))) : stat.mtimeMs);
  }
  return latest;
}

const built = new Map();
/** Builds the project if it or anything it needs is newer than its build; says whether it built. */
function ensure(name) {
  if (built.has(name)) return built.get(name);
  const project = PROJECTS[name];
  if (!project) throw new Error(`unknown project "${name}"; known: ${Object.keys(PROJECTS).join(', ')}`);
  const rebuiltNeed = project.needs.map(ensure).some(Boolean);
  const stale = rebuiltNeed || newest([...project.sources, ...SHARED]) > newest([project.output]);
  if (stale) {
    console.log(`building ${name} (sources newer than ${project.output})`);
    execFileSync(project.build[0], project.build.slice(1), { stdio: 'inherit' });
  }
  built.set(name, stale);
  return stale;
}

for (const name of process.argv.slice(2)) ensure(name);
