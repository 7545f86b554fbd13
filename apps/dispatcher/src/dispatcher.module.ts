import { type DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { WebhooksModule } from '@homing/webhooks';
import type { DispatcherConfig } from './config/dispatcher-config.js';
import { HealthController } from './health/health.controller.js';

/** The standalone dispatcher: the webhooks module with its worker, behind an HTTP API. */
@Module({})
export class DispatcherModule {
  static register(config: DispatcherConfig): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [
        EventEmitterModule.forRoot(),
        WebhooksModule.forRoot({
          database: { url: config.databaseUrl },
          redis: config.redisUrl,
          queuePrefix: config.queuePrefix,
          retrySchedule: config.retrySchedule,
          requestTimeout: config.requestTimeout,
          disableAfter: config.disableAfter,
          sweepInterval: config.sweepInterval,
          concurrency: config.concurrency,
          worker: config.worker,
          operationalApp: config.operationalApp,
          allowedCidrs: config.allowedCidrs,
          httpsOnly: config.httpsOnly,
          encryptionKey: config.encryptionKey,
          maxPayloadBytes: config.maxPayload,
          proxyUrl: config.proxyUrl,
        }),
      ],
      controllers: [HealthController],
    };
  }
}
