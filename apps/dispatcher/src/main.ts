// First, so that the heap is sized by it from the start (imports are evaluated in order).
import './heap-growth.js';
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, readDispatcherConfig } from './config/dispatcher-config.js';
import { DispatcherModule } from './dispatcher.module.js';
import { configureDispatcher, DISPATCHER_APP_OPTIONS } from './dispatcher.setup.js';

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
  let apiToken = config.apiToken;
  if (!apiToken) {
    if (process.env.NODE_ENV === 'production') {
      logger.error('HOMING_API_TOKEN is not set: in production the operator token must be configured');
      process.exit(1);
    }
    apiToken = `hop_${randomBytes(24).toString('base64url')}`;
    // Shown once, so a developer can use the API; set HOMING_API_TOKEN to keep one across restarts.
    logger.warn(`HOMING_API_TOKEN is not set; the operator token for this run is: ${apiToken}`);
  }
  const app = await NestFactory.create<NestExpressApplication>(DispatcherModule.register({ ...config, apiToken }), { ...DISPATCHER_APP_OPTIONS, bufferLogs: false });
  configureDispatcher(app);
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
