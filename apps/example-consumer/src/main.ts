import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readConsumerConfig } from './consumer-config.js';
import { ExampleConsumerModule } from './example-consumer.module.js';

async function bootstrap(): Promise<void> {
  const logger = new Logger('ExampleConsumer');
  let config;
  try {
    config = readConsumerConfig();
  } catch (error) {
    logger.error((error as Error).message);
    process.exit(1);
  }
  const app = await NestFactory.create(ExampleConsumerModule.register(config));
  app.enableShutdownHooks();
  await app.listen(config.port);
  logger.log(`listening on port ${config.port}: deliveries at POST /webhooks, the latest at GET /received`);
}

await bootstrap();
