import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, MYSQL_URL, REDIS_URL } from '../support/services.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** The `npm install` line README gives a host: the package and its peers, plus what every Nest HTTP app has. */
export async function hostInstallLine(packageSpec: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(ROOT, 'libs/webhooks/package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
  return [packageSpec, ...Object.entries(manifest.peerDependencies).map(([name, range]) => `${name}@${range}`), '@nestjs/platform-express@^12'];
}

const TSCONFIG = {
  // What `nest new` writes (module nodenext): CommonJS unless package.json says "type": "module".
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    esModuleInterop: true,
    isolatedModules: true,
    emitDecoratorMetadata: true,
    experimentalDecorators: true,
    target: 'ES2023',
    types: ['node'],
    outDir: './dist',
    rootDir: './src',
    skipLibCheck: true,
    strict: true,
    strictPropertyInitialization: false,
  },
};

/**
 * The package as a user gets it: packed from a fresh build, installed with its peers from the registry
 * into a CommonJS and an ESM Nest app, each of which starts against a database that does not exist yet,
 * sends a message with ProducerService and receives it on its own @WebhookController.
 */
describe('@homing/webhooks packed and installed into new Nest apps', { timeout: 300_000 }, () => {
  let work: string;
  let tarball: string;
  const hosts = {} as Record<'commonjs' | 'module', string>;
  const databases: string[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'homing-hosts-'));
    // Built apart from libs/webhooks/dist, which other suites build at the same time.
    const packageDir = join(work, 'package');
    await mkdir(packageDir);
    await copyFile(join(ROOT, 'libs/webhooks/package.json'), join(packageDir, 'package.json'));
    await run('npx', ['tsc', '-p', 'libs/webhooks/tsconfig.lib.json', '--outDir', join(packageDir, 'dist')], { cwd: ROOT, timeout: 180_000 });
    const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: packageDir });
    tarball = join(work, stdout.trim().split('\n').at(-1)!);
    // The ESM host also gets the svix client, which README's API examples use.
    [hosts.commonjs, hosts.module] = await Promise.all([host('commonjs'), host('module', ['svix@2.5.0'])]);
  }, 280_000);

  afterAll(async () => {
    const admin = await createConnection(MYSQL_URL);
    for (const database of databases) await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
    const redis = new Redis(REDIS_URL);
    for (const prefix of prefixes) await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function host(kind: 'commonjs' | 'module', extra: string[] = []): Promise<string> {
    const dir = join(work, kind);
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `host-${kind}`, version: '1.0.0', private: true, type: kind }));
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    await cp(join(ROOT, 'test/package/host-app.ts'), join(dir, 'src/main.ts'));
    const install = [...(await hostInstallLine(tarball)), 'typescript@~6.0.3', '@types/node@^20', ...extra];
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...install], { cwd: dir, timeout: 240_000 });
    await run('npx', ['tsc', '-p', '.'], { cwd: dir, timeout: 120_000 });
    return dir;
  }

  /** Starts the host on a database name not yet created; resolves with its output once its handler ran. */
  async function runHost(dir: string): Promise<string> {
    const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const database = `homing_host_${suffix}`;
    databases.push(database);
    prefixes.push(database);
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: `${MYSQL_URL}/${database}`, REDIS_URL, QUEUE_PREFIX: database },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      return await new Promise<string>((resolve, reject) => {
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('HANDLED')) resolve(output);
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.once('exit', (code) => reject(new Error(`host exited with ${code} before its handler ran:\n${output}`)));
      });
    } finally {
      child.kill();
    }
  }

  it.for(['commonjs', 'module'] as const)("loads in a %s host, creates its database, and delivers to the host's own handler", async (kind) => {
    const output = await runHost(hosts[kind]);
    expect(output).toMatch(/created database "homing_host_\w+" \(it did not exist\)/);
    const sent = /SENT (msg_\w+)/.exec(output)?.[1];
    const handled = JSON.parse(/HANDLED (.*)/.exec(output)![1]) as { id: string; payload: unknown };
    expect(handled).toEqual({ id: sent, payload: { type: 'order.completed', id: 'ord_1' } });
  });

  it('gives the install line in README and type-checks every TypeScript block of it, each on its own, against the installed package', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const { version } = JSON.parse(await readFile(join(ROOT, 'libs/webhooks/package.json'), 'utf8')) as { version: string };
    expect(readme, 'the install line README gives').toContain(`npm install ${(await hostInstallLine(`./homing-webhooks-${version}.tgz`)).join(' ')}\n`);
    const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const dir = join(hosts.module, 'readme');
    await mkdir(dir);
    // Each block is a module of its own (top-level await needs one), so it must bring its own imports.
    await Promise.all(blocks.map((block, index) => writeFile(join(dir, `block-${index + 1}.ts`), `${block}\nexport {};\n`)));
    await writeFile(join(hosts.module, 'tsconfig.readme.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, rootDir: '.' }, include: ['readme'] }));
    const check = await run('npx', ['tsc', '-p', 'tsconfig.readme.json'], { cwd: hosts.module, timeout: 120_000 }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(check).toBe('');
  });
});
