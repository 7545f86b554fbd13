import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SinkReply, SinkRequest } from './protocol.js';

/** The repository root, from bench/dist/ (where this file runs compiled). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type WaitReply = Extract<SinkReply, { cmd: 'wait' }>;

/** The sink process (sink.ts) and the calls run.ts makes to it. */
export class Sink {
  private pending?: (reply: SinkReply) => void;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (reply: SinkReply) => this.pending?.(reply));
  }

  static async start(secret: string): Promise<Sink> {
    const child = fork(fileURLToPath(new URL('./sink.js', import.meta.url)), { env: { ...process.env, BENCH_SECRET: secret }, stdio: 'inherit' });
    const [reply] = (await once(child, 'message')) as [SinkReply];
    if (reply.cmd !== 'listening') throw new Error(`sink did not start: ${JSON.stringify(reply)}`);
    return new Sink(child, reply.port);
  }

  get pid(): number {
    return this.child.pid!;
  }

  url(kind: 'ok' | 'slow' | 'hang', n: number): string {
    return `http://127.0.0.1:${this.port}/${kind}/${n}`;
  }

  async reset(trackArrivals = false): Promise<void> {
    await this.ask({ cmd: 'reset', trackArrivals });
  }

  /** Resolves once `count` requests arrived since the reset; throws with what did arrive after `timeoutMs`. */
  async waitFor(count: number, timeoutMs: number): Promise<WaitReply> {
    const reply = await this.waitUpTo(count, timeoutMs);
    if (reply.received < count) throw new Error(`the sink received ${reply.received} of ${count} requests within ${timeoutMs} ms`);
    return reply;
  }

  /** Resolves once `count` requests arrived since the reset, or after `timeoutMs` with what did (signatures checked). */
  async waitUpTo(count: number, timeoutMs: number): Promise<WaitReply> {
    const reply = (await this.ask({ cmd: 'wait', count, timeoutMs })) as WaitReply;
    if (reply.badSignatures > 0) throw new Error(`${reply.badSignatures} sampled requests had a bad signature`);
    return reply;
  }

  private ask(request: SinkRequest): Promise<SinkReply> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.child.send(request);
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}

/** A built dispatcher (`apps/dispatcher/dist/main.js`) as its own process. */
export class DispatcherProcess {
  private log = '';
  private child!: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly nodeArgs: string[],
  ) {}

  /** `nodeArgs` e.g. `--cpu-prof` (BENCH_PROFILE) to profile the dispatcher over the whole run. */
  static async start(env: Record<string, string>, nodeArgs: string[] = []): Promise<DispatcherProcess> {
    const dispatcher = new DispatcherProcess(await freePort(), env, nodeArgs);
    await dispatcher.spawn();
    return dispatcher;
  }

  /**
   * Stops it and starts it again on the same port, as an operator restarts it (a new process: new peak
   * RSS), with `env` changed, e.g. `HOMING_PROCESSES`.
   */
  async restart(env: Record<string, string> = {}): Promise<void> {
    await this.stop();
    Object.assign(this.env, env);
    await this.spawn();
  }

  private async spawn(): Promise<void> {
    this.log = '';
    const child = spawn(process.execPath, [...this.nodeArgs, 'apps/dispatcher/dist/main.js'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', PORT: String(this.port), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.log = (this.log + chunk.toString()).slice(-20_000)));
    child.stderr!.on('data', (chunk: Buffer) => (this.log = (this.log + chunk.toString()).slice(-20_000)));
    const deadline = Date.now() + 60_000;
    while (!this.log.includes(`listening on port ${this.port}`)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the dispatcher did not start:\n${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Of the process running now (a restart starts another). */
  get pid(): number {
    return this.child.pid!;
  }

  /** The process and, with HOMING_PROCESSES > 1, the dispatcher processes its cluster runs. */
  get pids(): number[] {
    return [this.pid, ...childrenOf(this.pid)];
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The most memory the process has held (VmHWM), in MB; with several processes, the sum of each one's. */
  peakRssMb(): Promise<number> {
    return this.statusMb('VmHWM');
  }

  /** The most memory each dispatcher process has held (VmHWM), in MB: the cluster's processes, or the one. */
  async peakRssMbEach(): Promise<number[]> {
    const children = childrenOf(this.pid);
    return Promise.all((children.length > 0 ? children : [this.pid]).map((pid) => statusMb(pid, 'VmHWM')));
  }

  /** The memory it holds now (VmRSS), in MB, all its processes. */
  rssMb(): Promise<number> {
    return this.statusMb('VmRSS');
  }

  private async statusMb(field: 'VmHWM' | 'VmRSS'): Promise<number> {
    let mb = 0;
    for (const pid of this.pids) mb += await statusMb(pid, field);
    return mb;
  }

  /** SIGTERM, as an operator stops it; resolves when it has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }

  /** The end of its output, to show when something went wrong. */
  get output(): string {
    return this.log;
  }
}

/** The child processes of `pid` (every thread's list, from /proc). */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    // It exited while we looked.
    return [];
  }
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024;
}
