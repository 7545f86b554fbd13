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
 * retries. The last does the background work only (the backlog of overdue deliveries the sweeper
 * catches up on, the statistics fold, retention), serves no API, and runs at a lower CPU priority
 * (BACKGROUND_NICE): a long drain then takes what CPU the serving processes leave, and no fresh
 * delivery waits on it, even when other programs keep the cores busy.
 */
export type ProcessRole = 'all' | 'serve' | 'background';
/** The background process's nice value: when the cores are busy it gets about a tenth of a serving process's share. */
export const BACKGROUND_NICE = 10;

/**
 * A process that ended within STEADY_RUN_MS of being ready is replaced after a delay, doubled for each
 * one in a row in its place (a crash loop: a bad deploy, a poisoned input), up to MAX_RESTART_DELAY_MS;
 * one that ran longer is replaced at once.
 */
const STEADY_RUN_MS = 60_000;
const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 60_000;

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
 * (ProcessRole), says `listening` once all of them are ready, and replaces one that dies in its role
 * (after a growing delay if they keep dying young: STEADY_RUN_MS). While the cluster starts, a process
 * that ends before it is ready is a failed start (the database unreachable, say): the primary stops the
 * others and exits 1 rather than start it again and again; a replacement that does is replaced in turn,
 * the others going on. SIGTERM or SIGINT stops them all (each finishes its deliveries
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

  /** Each process's place: its role, when it was ready, and how many in a row there ended young before it. */
  const places = new WeakMap<Worker, { role: ProcessRole; readyAt: number; youngEnds: number }>();
  const replacements = new Set<NodeJS.Timeout>();
  const fork = (role: ProcessRole, youngEnds = 0) => {
    const worker = cluster.fork({ HOMING_API_TOKEN: config.apiToken, [ROLE_VARIABLE]: role });
    places.set(worker, { role, readyAt: Number.POSITIVE_INFINITY, youngEnds });
    worker.on('message', (message: unknown) => {
      if (message !== LISTENING || started.has(worker)) return;
      started.add(worker);
      places.get(worker)!.readyAt = Date.now();
      if (--waitingFor === 0) listening();
    });
  };
  const replace = (worker: Worker, ended: string) => {
    const { role, readyAt, youngEnds } = places.get(worker)!;
    const young = Date.now() - readyAt < STEADY_RUN_MS ? youngEnds + 1 : 0;
    const delayMs = young === 0 ? 0 : Math.min(FIRST_RESTART_DELAY_MS * 2 ** (young - 1), MAX_RESTART_DELAY_MS);
    const when = delayMs === 0 ? '' : ` in ${delayMs / 1_000} s (${young} in a row ended within ${STEADY_RUN_MS / 1_000} s of starting)`;
    logger.warn(`dispatcher process ${worker.process.pid} ended (${ended}); starting another${when}`);
    const timer = setTimeout(() => {
      replacements.delete(timer);
      fork(role, young);
    }, delayMs);
    replacements.add(timer);
  };
  const exitIfNoneLeft = () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
  };
  const stop = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    for (const timer of replacements) clearTimeout(timer);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    // Every process may have ended already, each waiting for its replacement.
    exitIfNoneLeft();
  };

  cluster.on('exit', (worker, code, signal) => {
    const ended = signal ?? `exit code ${code}`;
    if (stopping) {
      if (code !== 0 && signal !== 'SIGTERM') exitCode = 1;
      exitIfNoneLeft();
    } else if (!started.has(worker) && waitingFor > 0) {
      logger.error(`a dispatcher process ended (${ended}) before it listened: stopping the others`);
      stop(1);
    } else {
      replace(worker, ended);
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
