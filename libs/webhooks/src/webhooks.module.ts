import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { ApplicationsService } from './admin/applications.service.js';
import { EndpointsService } from './admin/endpoints.service.js';
import { EventTypesService } from './admin/event-types.service.js';
import { AttemptsService } from './admin/attempts.service.js';
import { MessagesService } from './admin/messages.service.js';
import { StatusService } from './admin/status.service.js';
import { StatisticsService } from './admin/statistics.service.js';
import { TransformationsService } from './admin/transformations.service.js';
import { resolveOptions } from './config/resolve-options.js';
import type { ResolvedWebhooksOptions, WebhooksModuleOptions } from './config/webhooks-options.interface.js';
import { DeliveryProcessor } from './delivery/delivery.processor.js';
import { DeliveryQueue } from './queue/delivery.queue.js';
import { DeliveryService } from './delivery/delivery.service.js';
import { DeliveryStore } from './store/delivery.store.js';
import { DeliveryLines } from './store/delivery-lines.js';
import { DeliverySweeper } from './delivery/delivery.sweeper.js';
import { DeliveryThrottle } from './delivery/delivery.throttle.js';
import { EndpointHealthService } from './delivery/endpoint-health.service.js';
import { RecoveryService } from './admin/recovery.service.js';
import { WebhookHttpClient } from './delivery/webhook-http.client.js';
import { ensureDatabase } from './entities/ensure-database.js';
import { HOMING_ENTITIES } from './entities/index.js';
import { HOMING_MIGRATIONS } from './migrations/index.js';
import { openMigrated } from './migrations/migrate-once.js';
import { AfterCommitSubscriber } from './producer/after-commit.subscriber.js';
import { OperationalEventsService } from './operational/operational-events.service.js';
import { ProducerService } from './producer/producer.service.js';
import type { RECEIVER_ASYNC_OPTIONS_TYPE, RECEIVER_OPTIONS_TYPE } from './receiver/webhook-receiver-module-definition.js';
import { WebhookReceiverModule } from './receiver/webhook-receiver.module.js';
import { PayloadRetentionService } from './retention/payload-retention.service.js';
import { DestinationPolicy } from './security/destination-policy.js';
import { SecretCipher } from './security/secret-cipher.js';
import { CountsFolder } from './statistics/counts.folder.js';
import { CountsReader } from './statistics/counts.reader.js';
import { TransformationRunner } from './transformation/transformation.runner.js';
import { TransformationSandbox } from './transformation/transformation.sandbox.js';
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  OPTIONS_TYPE,
  WEBHOOKS_MODULE_OPTIONS,
  type WebhooksModuleExtras,
} from './webhooks-module-definition.js';
import {
  BACKLOG_QUEUE,
  DELIVERY_QUEUE,
  HOMING_BULL_CONFIG,
  HOMING_DATA_SOURCE_NAME,
  WEBHOOKS_DATA_SOURCE,
  WEBHOOKS_OPTIONS,
} from './webhooks.constants.js';

/** Holds the options so that the TypeORM and Bull roots the module opens can be configured from them. */
@Module({})
class WebhooksOptionsModule {}

/** The services a host uses. */
const PUBLIC_SERVICES = [
  ApplicationsService,
  EndpointsService,
  EventTypesService,
  MessagesService,
  AttemptsService,
  StatusService,
  StatisticsService,
  ProducerService,
  RecoveryService,
  TransformationsService,
];

/**
 * Sending webhooks: persistence, the producer, the delivery worker and the admin services.
 *
 * `WebhooksModule.forRoot({ database, redis })` opens its own DataSource; `forRoot({ ... , dataSource: 'default' })`
 * persists into a DataSource the host registers (add `HOMING_ENTITIES` and `HOMING_MIGRATIONS` to it).
 */
@Module({})
export class WebhooksModule extends ConfigurableModuleClass {
  static override forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return compose(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return compose(super.forRootAsync(options), options);
  }

  /** Receiving webhooks: verification, `@WebhookController`/`@WebhookHandler` routing, duplicate protection, async mode. */
  static forReceiver(options: typeof RECEIVER_OPTIONS_TYPE): DynamicModule {
    return WebhookReceiverModule.forRoot(options);
  }

  /** `forReceiver` with options from a factory, e.g. secrets from a ConfigService; `queue` and `isGlobal` sit beside it. */
  static forReceiverAsync(options: typeof RECEIVER_ASYNC_OPTIONS_TYPE): DynamicModule {
    return WebhookReceiverModule.forRootAsync(options);
  }
}

function compose(base: DynamicModule, extras: WebhooksModuleExtras): DynamicModule {
  const optionsModule: DynamicModule = {
    module: WebhooksOptionsModule,
    imports: base.imports ?? [],
    providers: [
      ...(base.providers ?? []),
      { provide: WEBHOOKS_OPTIONS, inject: [WEBHOOKS_MODULE_OPTIONS], useFactory: (options: WebhooksModuleOptions) => resolveOptions(options) },
    ],
    exports: [WEBHOOKS_OPTIONS],
  };
  const dataSourceName = extras.dataSource ?? HOMING_DATA_SOURCE_NAME;
  const ownDataSource = extras.dataSource
    ? []
    : [
        TypeOrmModule.forRootAsync({
          name: HOMING_DATA_SOURCE_NAME,
          imports: [optionsModule],
          inject: [WEBHOOKS_OPTIONS],
          useFactory: async (options: ResolvedWebhooksOptions) => {
            await ensureDatabase(options.database ?? {});
            return dataSourceOptions(options);
          },
          dataSourceFactory: (options) => openMigrated(options!),
        }),
      ];
  const dataSourceProvider: Provider = { provide: WEBHOOKS_DATA_SOURCE, useExisting: getDataSourceToken(dataSourceName) };
  return {
    module: base.module,
    global: base.global,
    imports: [
      optionsModule,
      ...ownDataSource,
      // Never injected: it registers the entities, so a host DataSource with autoLoadEntities picks them up.
      TypeOrmModule.forFeature(HOMING_ENTITIES, dataSourceName),
      BullModule.forRootAsync(HOMING_BULL_CONFIG, {
        imports: [optionsModule],
        inject: [WEBHOOKS_OPTIONS],
        useFactory: (options: ResolvedWebhooksOptions) => ({
          redis: options.redis,
          prefix: options.queuePrefix,
          // A job whose worker died goes back to the queue about a request timeout later, not Bull's default minute.
          settings: { lockDuration: options.requestTimeoutMs + 5_000, stalledInterval: 5_000 },
        }),
      }),
      BullModule.registerQueue({ name: DELIVERY_QUEUE, configKey: HOMING_BULL_CONFIG }, { name: BACKLOG_QUEUE, configKey: HOMING_BULL_CONFIG }),
    ],
    providers: [
      dataSourceProvider,
      ...PUBLIC_SERVICES,
      OperationalEventsService,
      AfterCommitSubscriber,
      DeliveryQueue,
      DeliveryService,
      DeliveryStore,
      DeliveryLines,
      DeliveryProcessor,
      DeliverySweeper,
      DeliveryThrottle,
      PayloadRetentionService,
      CountsReader,
      CountsFolder,
      EndpointHealthService,
      WebhookHttpClient,
      DestinationPolicy,
      SecretCipher,
      TransformationSandbox,
      TransformationRunner,
    ],
    exports: [...PUBLIC_SERVICES, OperationalEventsService, optionsModule, WEBHOOKS_DATA_SOURCE],
  };
}

function dataSourceOptions(options: ResolvedWebhooksOptions): TypeOrmModuleOptions {
  const { migrationsRun = true, poolSize, ...connection } = options.database ?? {};
  return {
    type: 'mysql',
    ...connection,
    entities: HOMING_ENTITIES,
    migrations: HOMING_MIGRATIONS,
    migrationsTableName: 'homing_migrations',
    migrationsRun,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    // mysql2's long stack traces capture a stack on every query (2 % of a drain's CPU, 5 % of the API's); the errors are typed where they are met.
    trace: false,
    poolSize,
    retryAttempts: 3,
    retryDelay: 1000,
  };
}
