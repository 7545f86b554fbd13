import { Controller, Get, Logger } from '@nestjs/common';
import { WebhookController, WebhookHandler, type WebhookContext } from '@homing/webhooks';
import { type ReceivedDelivery, ReceivedLog } from './received.log.js';

/** `POST /webhooks`: every delivery is verified before it gets here; this logs and records it. */
@WebhookController('webhooks')
export class ExampleWebhooks {
  private readonly logger = new Logger('ExampleConsumer');

  constructor(private readonly log: ReceivedLog) {}

  @WebhookHandler('*')
  received(_payload: unknown, ctx: WebhookContext): void {
    this.logger.log(`${ctx.type} ${ctx.id} (${ctx.rawBody.length} bytes, signed ${ctx.timestamp.toISOString()})`);
    this.log.add({ id: ctx.id, type: ctx.type, timestamp: ctx.timestamp.toISOString(), bytes: ctx.rawBody.length, receivedAt: new Date().toISOString() });
  }
}

/** `GET /received`: what arrived lately. */
@Controller('received')
export class ReceivedController {
  constructor(private readonly log: ReceivedLog) {}

  @Get()
  list(): readonly ReceivedDelivery[] {
    return this.log.list();
  }
}
