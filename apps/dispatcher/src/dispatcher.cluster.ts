import cluster, { type Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import type { StartingConfig } from './config/dispatcher-config.js';
import { serveClusterMetrics } from './metrics/cluster-metrics.js';

/** What a cluster's process tells its primary once it listens (or, serving no API, is ready). */
const LISTENING = 'homing:listening';
/** How the primary tells a process its role. */
const ROLE_VARIABLE = 'HOMING_PROCESS_ROLE';

/**
 * `all`: a dispatcher alone (HOMING_PROCESSES=1) serves the API and delivers everything. In a cluster
 * whose processes deliver, all but one `serve`: the API, the messages they accept, new deliveries and
 * retries. The last does the background work besides new deliveries and retries (the backlog of
 * overdue deliveries the sweeper catches up on, the statistics fold, retention), serves no API, and
 * runs at a lower CPU priority (BACKGROUND_NICE): a long drain then takes what CPU the serving processes
 * leave, and fresh deliveries do not wait behind it.
 */
export type ProcessRole = 'all' | 'serve' | 'background';
/** The background process's nice value: when the cores are busy it gets about a tenth of a serving process's share. */
export const BACKGROUND_NICE = 10;

/** In a cluster's process: the role its primary gave it. */
export function processRole(): ProcessRole {
  const role = process.env[ROLE_VARIABLE];
  return role === 'serve' || role === 'background' ? role : 'all';
}

/** In a cluster's process: tells the primary it is ready. */
export function reportListening(): void {
  process.send?.(LISTENING);
}

/**
 * HOMING_PROCESSES > 1: this process is the primary of a Node cluster and runs no dispatcher itself.
 * It starts that many dispatcher processes at once (they share the port; migrations take a lock, see
 * openMigrated) with the settings it checked, the operator token it has (or made up) and their roles
 * (ProcessRole), says `listening` once all of them are ready, and replaces one that dies in its role. A process that ends before it ever
 * listened is a failed start (the database unreachable, say): the primary stops the others and exits 1
 * rather than start it again and again. SIGTERM or SIGINT stops them all (each finishes its deliveries
 * in flight) and the primary exits 0 once they have, 1 if one failed to stop cleanly. The processes end
 * with the primary however it ends (Node's cluster exits a process whose primary is gone). A scrape of
 * /metrics, whichever process takes it, is answered with all processes' metrics gathered here.
 */
export function runCluster(config: StartingConfig, listening: () => void): void {
  const logger = new Logger('Dispatcher');
  const started = new WeakSet<Worker>();
  let waitingFor = config.processes;
  let stopping = false;
  let exitCode = 0;

  const roles = new WeakMap<Worker, ProcessRole>();
  const fork = (role: ProcessRole) => {
    const worker = cluster.fork({ HOMING_API_TOKEN: config.apiToken, [ROLE_VARIABLE]: role });
    roles.set(worker, role);
    worker.on('message', (message: unknown) => {
      if (message !== LISTENING || started.has(worker)) return;
      started.add(worker);
      if (--waitingFor === 0) listening();
    });
  };
  const stop = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };

  cluster.on('exit', (worker, code, signal) => {
    const ended = signal ?? `exit code ${code}`;
    if (stopping) {
      if (code !== 0 && signal !== 'SIGTERM') exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
    } else if (!started.has(worker)) {
      logger.error(`a dispatcher process ended (${ended}) before it listened: stopping the others`);
      stop(1);
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
    } else {
      logger.warn(`dispatcher process ${worker.process.pid} ended (${ended}); starting another`);
      fork(roles.get(worker)!);
    }
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!stopping) logger.log(`${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} dispatcher processes`);
      stop(0);
    });
  }
  serveClusterMetrics();
  // Processes that do not deliver have no backlog to take: each serves the API.
  for (let i = 0; i < config.processes; i++) fork(config.worker && i === config.processes - 1 ? 'background' : 'serve');
}
