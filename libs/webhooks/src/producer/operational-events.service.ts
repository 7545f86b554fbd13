import { forwardRef, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { InjectWebhooksOptions } from '../webhooks.decorators.js';
import { ProducerService } from './producer.service.js';

/** The body of an operational event, in Svix's shape. */
export interface OperationalEvent<T = Record<string, unknown>> {
  type: string;
  timestamp: string;
  data: T;
}

/**
 * Tells the operator what the system did on its own (an endpoint disabled, ...): as a Nest event
 * when the host has `EventEmitterModule`, and as a webhook to the operational application if one is set.
 */
@Injectable()
export class OperationalEventsService {
  private readonly logger = new Logger('HomingOperationalEvents');

  constructor(
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    @Inject(forwardRef(() => ProducerService)) private readonly producer: ProducerService,
    @Optional() private readonly eventEmitter?: EventEmitter2,
  ) {}

  async publish(type: string, data: Record<string, unknown>): Promise<void> {
    const event: OperationalEvent = { type, timestamp: new Date().toISOString(), data };
    this.eventEmitter?.emit(type, event);
    if (!this.options.operationalApp) return;
    try {
      await this.producer.send(this.options.operationalApp, { eventType: type, payload: event });
    } catch (error) {
      this.logger.error(`could not send ${type} to the operational application: ${(error as Error).message}`);
    }
  }
}
