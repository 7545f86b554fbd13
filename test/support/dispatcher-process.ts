import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './private-servers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Builds the library and the dispatcher (what `node apps/dispatcher/dist/main.js` needs). Not the whole
 * `npm run build`: that also rebuilds the portal, which the browser suite may be serving meanwhile.
 */
export async function buildDispatcher(): Promise<void> {
  const run = promisify(execFile);
  for (const project of ['webhooks', 'dispatcher']) await run('npx', ['nest', 'build', project], { cwd: ROOT, timeout: 180_000 });
}

/** A real dispatcher process (`node apps/dispatcher/dist/main.js`), configured by environment. */
export class DispatcherProcess {
  output = '';
  private exit?: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exit = once(child, 'exit').then(([code]) => code as number | null);
  }

  static async start(env: Record<string, string>): Promise<DispatcherProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['apps/dispatcher/dist/main.js'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const dispatcher = new DispatcherProcess(child, port);
    const deadline = Date.now() + 30_000;
    while (!dispatcher.output.includes(`listening on port ${port}`)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`dispatcher did not start:\n${dispatcher.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return dispatcher;
  }

  /** With HOMING_PROCESSES > 1, the dispatcher processes of its cluster (from /proc). */
  children(): number[] {
    const pid = this.child.pid!;
    try {
      return readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    } catch {
      return [];
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal and resolves with the exit code once the process has ended. */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    if (this.alive) this.child.kill(signal);
    return this.exit!;
  }
}

/** A process's nice value (its main thread's), from /proc. */
export function niceOf(pid: number): number {
  // The fields after the command's name, which ends with ') ': the nice value is the 19th field of the line.
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
}
