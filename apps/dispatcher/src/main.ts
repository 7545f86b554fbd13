// First, so that the heap is sized by it from the start (imports are evaluated in order).
import './heap-growth.js';
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, readDispatcherConfig } from './config/dispatcher-config.js';
import { DispatcherModule } from './dispatcher.module.js';
import { DispatcherLogger } from './dispatcher.logger.js';
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
  }
  const app = await NestFactory.create<NestExpressApplication>(DispatcherModule.register({ ...config, apiToken }), {
    ...DISPATCHER_APP_OPTIONS,
    logger: new DispatcherLogger(config.logLevel),
  });
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
  const base = `http://localhost:${config.port}`;
  const banner = [
    `listening on port ${config.port}`,
    `  API     ${base}/api/v1   (Authorization: Bearer <operator token>)`,
    `  Docs    ${base}/docs`,
    `  Portal  ${config.portalUrl ?? `${base}/portal`}`,
  ];
  // Shown once, last, so a developer can use the API at once; HOMING_API_TOKEN keeps one across restarts.
  if (!config.apiToken) banner.push(`  Operator token for this run: ${apiToken}   (generated: set HOMING_API_TOKEN to keep one)`);
  logger.log(banner.join('\n'));
}

await bootstrap();
