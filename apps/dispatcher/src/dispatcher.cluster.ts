import cluster, { type Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import type { StartingConfig } from './config/dispatcher-config.js';
import { serveClusterMetrics } from './metrics/cluster-metrics.js';

/** What a cluster's process tells its primary once it listens. */
const LISTENING = 'homing:listening';

/** In a cluster's process: tells the primary it is ready. */
export function reportListening(): void {
  process.send?.(LISTENING);
}

/**
 * HOMING_PROCESSES > 1: this process is the primary of a Node cluster and runs no dispatcher itself.
 * It starts that many dispatcher processes at once (they share the port; migrations take a lock, see
 * openMigrated) with the settings it checked and the operator token it has (or made up), says
 * `listening` once all of them do, and replaces one that dies. A process that ends before it ever
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

  const fork = () => {
    const worker = cluster.fork({ HOMING_API_TOKEN: config.apiToken });
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
      fork();
    }
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!stopping) logger.log(`${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} dispatcher processes`);
      stop(0);
    });
  }
  serveClusterMetrics();
  for (let i = 0; i < config.processes; i++) fork();
}
