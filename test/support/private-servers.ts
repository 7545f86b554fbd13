import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { Redis } from 'ioredis';

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function until(check: () => Promise<unknown>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} did not come up: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** A MariaDB server of a test's own (data dir in /tmp), which the test may stop and start at will. */
export class PrivateMariaDb {
  private child?: ChildProcess;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivateMariaDb> {
    const dir = await mkdtemp(join(tmpdir(), 'homing-mariadb-'));
    await run('mariadb-install-db', ['--no-defaults', `--datadir=${dir}/data`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root']);
    const server = new PrivateMariaDb(dir, await freePort());
    await server.start();
    return server;
  }

  url(database: string): string {
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      '/usr/sbin/mariadbd',
      ['--no-defaults', '--user=root', `--datadir=${this.dir}/data`, `--port=${this.port}`, '--bind-address=127.0.0.1', `--socket=${this.dir}/mysqld.sock`, `--pid-file=${this.dir}/mysqld.pid`, '--skip-log-bin', '--innodb-buffer-pool-size=32M'],
      { stdio: 'ignore' },
    );
    await until(async () => (await createConnection(this.url(''))).end(), 'MariaDB');
  }

  /** A clean shutdown, as an operator stopping the service. */
  stop(): Promise<void> {
    return stop(this.child, 'SIGTERM');
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A Redis server of a test's own, keeping nothing on disk (as the machine's own). */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async create(): Promise<PrivateRedis> {
    const server = new PrivateRedis(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await until(async () => {
      const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping();
      } finally {
        client.disconnect();
      }
    }, 'Redis');
  }

  async flushAll(): Promise<void> {
    const client = new Redis(this.url);
    await client.flushall();
    client.disconnect();
  }

  /** Gone at once, as a crash: everything it held is lost. */
  kill(): Promise<void> {
    return stop(this.child, 'SIGKILL');
  }

  destroy(): Promise<void> {
    return this.kill();
  }
}
