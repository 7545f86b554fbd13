import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, readDispatcherConfig } from './config/dispatcher-config.js';
import { ensureDatabase } from './database/ensure-database.js';
import { DispatcherModule } from './dispatcher.module.js';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Dispatcher');
  let config;
  try {
    config = readDispatcherConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.error(error.message);
    process.exit(1);
  }
  await ensureDatabase(config.databaseUrl);
  const app = await NestFactory.create(DispatcherModule.register(config), { bufferLogs: false });
  // Not enableShutdownHooks(): that re-raises the signal after closing, and a clean stop should exit 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
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
  await app.listen(config.port);
  logger.log(`listening on port ${config.port}`);
}

await bootstrap();
