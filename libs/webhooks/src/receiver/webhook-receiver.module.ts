import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HOMING_RECEIVER_BULL_CONFIG, RECEIVER_QUEUE, WEBHOOK_RECEIVER_OPTIONS, WEBHOOK_SEEN_MESSAGES } from '../webhooks.constants.js';
import { RawBodyCapture } from './raw-body.capture.js';
import { resolveReceiverOptions } from './resolve-receiver-options.js';
import { seenMessagesFor } from './seen-messages.store.js';
import { ConfigurableReceiverModuleClass, RECEIVER_OPTIONS_TYPE } from './webhook-receiver-module-definition.js';
import { WebhookReceiverProcessor } from './webhook-receiver.processor.js';
import { WebhookReceiverQueue } from './webhook-receiver.queue.js';
import { WebhookDispatcher } from './webhook.dispatcher.js';
import { WebhookHandlerExplorer } from './webhook-handler.explorer.js';
import { WebhookSignatureGuard } from './webhook-signature.guard.js';

/**
 * Receiving webhooks (`WebhooksModule.forReceiver`): raw-body capture, signature verification,
 * `@WebhookController`/`@WebhookHandler` routing, duplicate protection and, with `queue`, async handling.
 */
@Module({})
export class WebhookReceiverModule extends ConfigurableReceiverModuleClass {
  static override forRoot(options: typeof RECEIVER_OPTIONS_TYPE): DynamicModule {
    const base = super.forRoot(options);
    const resolved = resolveReceiverOptions(options);
    const queue = resolved.queue
      ? {
          imports: [
            BullModule.forRoot(HOMING_RECEIVER_BULL_CONFIG, { redis: resolved.redis, prefix: resolved.queuePrefix }),
            BullModule.registerQueue({ name: RECEIVER_QUEUE, configKey: HOMING_RECEIVER_BULL_CONFIG }),
          ],
          providers: [WebhookReceiverQueue, WebhookReceiverProcessor],
        }
      : { imports: [], providers: [] };
    const providers: Provider[] = [
      { provide: WEBHOOK_RECEIVER_OPTIONS, useValue: resolved },
      { provide: WEBHOOK_SEEN_MESSAGES, useFactory: () => seenMessagesFor(resolved) },
      RawBodyCapture,
      WebhookSignatureGuard,
      WebhookHandlerExplorer,
      WebhookDispatcher,
      ...queue.providers,
    ];
    return {
      ...base,
      imports: [...(base.imports ?? []), DiscoveryModule, ...queue.imports],
      providers: [...(base.providers ?? []), ...providers],
      exports: [WEBHOOK_RECEIVER_OPTIONS, WebhookSignatureGuard, WebhookDispatcher],
    };
  }
}
