import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { WebhookReceiverOptions } from './webhook-receiver-options.interface.js';

export interface WebhookReceiverModuleExtras {
  /**
   * Default true: controllers and `@UseGuards(WebhookSignatureGuard)` routes in any module resolve the
   * receiver. With false, import it into each module that declares them.
   */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurableReceiverModuleClass,
  MODULE_OPTIONS_TOKEN: WEBHOOK_RECEIVER_MODULE_OPTIONS,
  OPTIONS_TYPE: RECEIVER_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WebhookReceiverOptions>()
  .setClassMethodName('forRoot')
  .setExtras<WebhookReceiverModuleExtras>({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
