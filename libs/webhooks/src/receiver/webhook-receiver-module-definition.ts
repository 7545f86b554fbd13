import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { WebhookReceiverOptions, WebhookReceiverQueueOptions } from './webhook-receiver-options.interface.js';

export interface WebhookReceiverModuleExtras {
  /**
   * Default true: controllers and `@UseGuards(WebhookSignatureGuard)` routes in any module resolve the
   * receiver. With false, import it into each module that declares them.
   */
  isGlobal?: boolean;
  /**
   * Async mode: verify, store the delivery in a Bull queue on `redis` (default local) and answer 202;
   * handlers run in a worker with retries. Fixed when the module is declared, so it sits beside the
   * options rather than among what `useFactory` returns.
   */
  queue?: boolean | WebhookReceiverQueueOptions;
}

export const {
  ConfigurableModuleClass: ConfigurableReceiverModuleClass,
  MODULE_OPTIONS_TOKEN: WEBHOOK_RECEIVER_MODULE_OPTIONS,
  OPTIONS_TYPE: RECEIVER_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: RECEIVER_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WebhookReceiverOptions>()
  .setClassMethodName('forRoot')
  .setExtras<WebhookReceiverModuleExtras>({ isGlobal: true, queue: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
