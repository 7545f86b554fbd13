import type { INestApplicationContext } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { ApplicationsService, EndpointsService, EventTypesService, ProducerService, RecoveryService, WEBHOOKS_DATA_SOURCE, WebhooksModule, type WebhooksModuleOptions } from '@homing/webhooks';
import { DeliverySweeper } from '@homing/webhooks/internal';
import type { DataSource } from 'typeorm';
import { REDIS_URL, type TestServices } from './services.js';

export interface WebhooksTestApp {
  app: INestApplicationContext;
  applications: ApplicationsService;
  endpoints: EndpointsService;
  eventTypes: EventTypesService;
  producer: ProducerService;
  recovery: RecoveryService;
  sweeper: DeliverySweeper;
  events: EventEmitter2;
  dataSource: DataSource;
  close(): Promise<void>;
}

/** Test receivers listen on loopback, which deliveries may not reach unless allow-listed. */
export const LOOPBACK_CIDRS = ['127.0.0.0/8', '::1/128'];

/** A Nest application context importing `WebhooksModule.forRoot` on this test file's own database and queue. */
export async function startWebhooksApp(services: TestServices, options: WebhooksModuleOptions = {}): Promise<WebhooksTestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      WebhooksModule.forRoot({
        database: { url: services.databaseUrl },
        redis: REDIS_URL,
        queuePrefix: services.queuePrefix,
        allowedCidrs: LOOPBACK_CIDRS,
        ...options,
      }),
    ],
  }).compile();
  const app = await moduleRef.init();
  app.enableShutdownHooks();
  return {
    app,
    applications: app.get(ApplicationsService),
    endpoints: app.get(EndpointsService),
    eventTypes: app.get(EventTypesService),
    producer: app.get(ProducerService),
    recovery: app.get(RecoveryService),
    sweeper: app.get(DeliverySweeper),
    events: app.get(EventEmitter2),
    dataSource: app.get<DataSource>(WEBHOOKS_DATA_SOURCE),
    close: () => app.close(),
  };
}
