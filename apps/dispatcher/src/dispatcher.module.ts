import { type DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { WebhooksModule } from '@homing/webhooks';
import { ApiModule } from './api/api.module.js';
import type { StartingConfig } from './config/dispatcher-config.js';
import { dispatcherDatabase } from './dispatcher.database.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PortalModule } from './portal/portal.module.js';
import { RelayModule } from './relay/relay.module.js';

/** The standalone dispatcher: the webhooks module with its worker, behind an HTTP API. */
@Module({})
export class DispatcherModule {
  /** `background`: the library option, as this process's role says (see ProcessRole). */
  static register(config: StartingConfig, { background }: { background: boolean | 'only' } = { background: true }): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [
        EventEmitterModule.forRoot(),
        WebhooksModule.forRoot({
          isGlobal: true,
          database: { url: config.databaseUrl },
          redis: config.redisUrl,
          queuePrefix: config.queuePrefix,
          retrySchedule: config.retrySchedule,
          requestTimeout: config.requestTimeout,
          disableAfter: config.disableAfter,
          sweepInterval: config.sweepInterval,
          concurrency: config.concurrency,
          backlogCpuCeiling: config.backlogCpuCeiling,
          worker: config.worker,
          background,
          operationalApp: config.operationalApp,
          allowedCidrs: config.allowedCidrs,
          httpsOnly: config.httpsOnly,
          encryptionKey: config.encryptionKey,
          defaultSignature: config.defaultSignature,
          maxPayloadBytes: config.maxPayload,
          proxyUrl: config.proxyUrl,
          payloadRetention: config.payloadRetention,
          purgeInterval: config.purgeInterval,
          retention: config.retention,
          orderedFailure: config.orderedFailure,
        }),
        dispatcherDatabase(config.databaseUrl),
        ApiModule.register({ apiToken: config.apiToken, portalUrl: config.portalUrl }),
        MetricsModule,
        PortalModule.register({ corsOrigins: config.corsOrigins, frameAncestors: config.portalFrameAncestors }),
        RelayModule.register({ redisUrl: config.redisUrl, keyPrefix: config.queuePrefix }),
      ],
    };
  }
}
