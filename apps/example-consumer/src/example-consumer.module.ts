import { type DynamicModule, Module } from '@nestjs/common';
import { WebhooksModule } from '@homing/webhooks';
import type { ConsumerConfig } from './consumer-config.js';
import { ExampleWebhooks, ReceivedController } from './example.webhooks.js';
import { ReceivedLog } from './received.log.js';

/** A host app that receives Homing deliveries: the receiver kit and one `@WebhookController`. */
@Module({})
export class ExampleConsumerModule {
  static register(config: Pick<ConsumerConfig, 'secrets' | 'redisUrl'>): DynamicModule {
    return {
      module: ExampleConsumerModule,
      imports: [WebhooksModule.forReceiver({ secret: config.secrets, redis: config.redisUrl })],
      controllers: [ExampleWebhooks, ReceivedController],
      providers: [ReceivedLog],
    };
  }
}
