import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HOMING_RECEIVER_BULL_CONFIG, RECEIVER_QUEUE, WEBHOOK_RECEIVER_OPTIONS, WEBHOOK_SEEN_MESSAGES } from '../webhooks.constants.js';
import { RawBodyCapture } from './raw-body.capture.js';
import { resolveReceiverOptions } from './resolve-receiver-options.js';
import { seenMessagesFor } from './seen-messages.store.js';
import {
  ConfigurableReceiverModuleClass,
  RECEIVER_ASYNC_OPTIONS_TYPE,
  RECEIVER_OPTIONS_TYPE,
  WEBHOOK_RECEIVER_MODULE_OPTIONS,
  type WebhookReceiverModuleExtras,
} from './webhook-receiver-module-definition.js';
import type { ResolvedReceiverOptions, WebhookReceiverOptions } from './webhook-receiver-options.interface.js';
import { WebhookReceiverProcessor } from './webhook-receiver.processor.js';
import { WebhookReceiverQueue } from './webhook-receiver.queue.js';
import { WebhookDispatcher } from './webhook.dispatcher.js';
import { WebhookHandlerExplorer } from './webhook-handler.explorer.js';
import { WebhookSignatureGuard } from './webhook-signature.guard.js';

/** Holds the resolved options, so that the Bull root the receiver opens can be configured from them. */
@Module({})
class WebhookReceiverOptionsModule {}

/**
 * Receiving webhooks (`WebhooksModule.forReceiver`/`forReceiverAsync`): raw-body capture, signature
 * verification, `@WebhookController`/`@WebhookHandler` routing, duplicate protection and, with `queue`, async handling.
 */
@Module({})
export class WebhookReceiverModule extends ConfigurableReceiverModuleClass {
  static override forRoot(options: typeof RECEIVER_OPTIONS_TYPE): DynamicModule {
    // Static options are checked at once, so a mistake names itself where the module is declared.
    resolveReceiverOptions(options, options.queue);
    return compose(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof RECEIVER_ASYNC_OPTIONS_TYPE): DynamicModule {
    return compose(super.forRootAsync(options), options);
  }
}

function compose(base: DynamicModule, extras: WebhookReceiverModuleExtras): DynamicModule {
  const optionsModule: DynamicModule = {
    module: WebhookReceiverOptionsModule,
    imports: base.imports ?? [],
    providers: [
      ...(base.providers ?? []),
      {
        provide: WEBHOOK_RECEIVER_OPTIONS,
        inject: [WEBHOOK_RECEIVER_MODULE_OPTIONS],
        useFactory: (options: WebhookReceiverOptions) => resolveReceiverOptions(options, extras.queue),
      },
    ],
    exports: [WEBHOOK_RECEIVER_OPTIONS],
  };
  const queue = extras.queue
    ? {
        imports: [
          BullModule.forRootAsync(HOMING_RECEIVER_BULL_CONFIG, {
            imports: [optionsModule],
            inject: [WEBHOOK_RECEIVER_OPTIONS],
            useFactory: (options: ResolvedReceiverOptions) => ({ redis: options.redis, prefix: options.queuePrefix }),
          }),
          BullModule.registerQueue({ name: RECEIVER_QUEUE, configKey: HOMING_RECEIVER_BULL_CONFIG }),
        ],
        providers: [WebhookReceiverQueue, WebhookReceiverProcessor],
      }
    : { imports: [], providers: [] };
  return {
    module: base.module,
    global: base.global,
    imports: [optionsModule, DiscoveryModule, ...queue.imports],
    providers: [
      { provide: WEBHOOK_SEEN_MESSAGES, inject: [WEBHOOK_RECEIVER_OPTIONS], useFactory: seenMessagesFor },
      RawBodyCapture,
      WebhookSignatureGuard,
      WebhookHandlerExplorer,
      WebhookDispatcher,
      ...queue.providers,
    ],
    exports: [optionsModule, WebhookSignatureGuard, WebhookDispatcher],
  };
}
