import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { StartingConfig } from './config/dispatcher-config.js';
import type { ProcessRole } from './dispatcher.cluster.js';
import { DispatcherModule } from './dispatcher.module.js';
import { DispatcherLogger } from './dispatcher.logger.js';
import { configureDispatcher, DISPATCHER_APP_OPTIONS } from './dispatcher.setup.js';

const KEEP_ALIVE_MS = 65_000;
/** The library's `background` option in each role. */
const BACKGROUND_WORK = { all: true, serve: false, background: 'only' } as const satisfies Record<ProcessRole, boolean | 'only'>;

/** One dispatcher process: the API and a worker, or as `role` says in a cluster. Returns once it listens (or, without the API, is ready). */
export async function startDispatcher(config: StartingConfig, role: ProcessRole = 'all'): Promise<void> {
  const logger = new Logger('Dispatcher');
  const app = await NestFactory.create<NestExpressApplication>(DispatcherModule.register(config, { background: BACKGROUND_WORK[role] }), {
    ...DISPATCHER_APP_OPTIONS,
    logger: new DispatcherLogger(config.logLevel),
  });
  configureDispatcher(app);
  // Node closes a keep-alive connection after 5 s idle, racing a client that reuses it just then (the
  // client sees ECONNRESET: seen in the bench). Longer than the usual client and load-balancer idle
  // timeouts (60 s), so they close first; headers must be allowed longer still.
  const server = app.getHttpServer();
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  // Not enableShutdownHooks(): that re-raises the signal after closing, and a clean stop should exit 0.
  // Once per process: a terminal's Ctrl-C reaches a cluster's processes and its primary passes it on too.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.log(`${signal}: no new work; finishing deliveries in flight`);
      app.close().then(
        () => process.exit(0),
        (error: Error) => {
          logger.error(`shutdown failed: ${error.message}`);
          process.exit(1);
        },
      );
    });
  }
  if (role === 'background') await app.init();
  else await app.listen(config.port);
}
