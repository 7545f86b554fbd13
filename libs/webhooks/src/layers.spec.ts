import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/**
 * The library's folders, lowest first: a folder may import from the folders before it, never from one
 * after it, so no arrow runs back up and there is no cycle between folders. The constants and the
 * injection decorators sit below everything; the module and index.ts above everything.
 */
const LAYERS = [
  'base', // webhooks.constants.ts, webhooks.decorators.ts
  'exceptions', // the library's error classes
  'common', // tools with no knowledge of webhooks: call batching, periodic tasks, event-type patterns, the id-first rule
  'tracing', // OpenTelemetry spans of a message's life, through @opentelemetry/api only
  'signing', // signing schemes and their registry, signer, verifier, secret rotation
  'config', // options, their parsing and defaults
  'entities', // the tables
  'migrations',
  'queue', // the Bull queue that wakes workers
  'store', // hand-written SQL of the hot path, the application resolver
  'security', // destination policy, outbound agents, secrets at rest
  'inputs', // input classes and their validation (depth, sizes, ranges)
  'producer', // send: fan-out and the transactional write
  'operational', // operational events, sent through the producer
  'transformation', // endpoints' transformations: the QuickJS sandbox on its thread, Svix's handler(webhook) contract
  'delivery', // the worker: claim, sign, POST, record, retry, sweep, throttle
  'statistics', // counts kept by triggers, their folder and reads
  'admin', // the services a host calls, operator actions (resend, recover) included
  'retention', // the payload purge and row retention
  'receiver', // the receiving kit
  'top', // the module, its definition and index.ts
];
const BASE_FILES = new Set(['webhooks.constants.ts', 'webhooks.decorators.ts']);

function layerOf(file: string): string {
  const path = relative(SRC, file);
  if (!path.includes('/')) return BASE_FILES.has(path) ? 'base' : 'top';
  return path.split('/')[0];
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe("the library's folders", () => {
  it('are each a known layer', () => {
    expect([...new Set(sources(SRC).map(layerOf))].filter((layer) => !LAYERS.includes(layer))).toEqual([]);
  });

  it('import only downward, so no folder depends on one above it', () => {
    const upward: string[] = [];
    for (const file of sources(SRC)) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const from = layerOf(file);
        const to = layerOf(resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
        if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) upward.push(`${relative(SRC, file)} (${from}) imports ${specifier} (${to})`);
      }
    }
    expect(upward).toEqual([]);
  });
});
