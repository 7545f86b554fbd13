// A host app as a user writes it: copied into throwaway CommonJS and ESM projects by host-apps.spec.ts.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApplicationsService, EndpointsService, ProducerService, WebhookController, WebhookHandler, WebhooksModule, type WebhookContext } from '@homing/webhooks';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

@WebhookController('webhooks')
class OrderWebhooks {
  @WebhookHandler('order.completed')
  completed(payload: { type: string; id: string }, context: WebhookContext) {
    console.log(`HANDLED ${JSON.stringify({ id: context.id, payload })}`);
  }
}

@Module({
  imports: [
    WebhooksModule.forRoot({
      database: { url: process.env.DATABASE_URL! },
      redis: process.env.REDIS_URL!,
      queuePrefix: process.env.QUEUE_PREFIX!,
      allowedCidrs: ['127.0.0.0/8'],
    }),
    WebhooksModule.forReceiver({ secret }),
  ],
  controllers: [OrderWebhooks],
})
class AppModule {}

async function main() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn', 'log'] });
  await app.listen(0, '127.0.0.1');
  const application = await app.get(ApplicationsService).create({ name: 'shop' });
  await app.get(EndpointsService).create(application.id, { url: `${await app.getUrl()}/webhooks`, secret });
  const message = await app.get(ProducerService).send(application.id, { eventType: 'order.completed', payload: { type: 'order.completed', id: 'ord_1' } });
  console.log(`SENT ${message.id}`);
}
void main();
