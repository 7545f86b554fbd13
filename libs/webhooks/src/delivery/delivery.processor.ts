import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { DELIVERY_QUEUE } from '../webhooks.constants.js';
import { InjectWebhooksOptions } from '../webhooks.decorators.js';
import type { DeliveryJob } from './delivery.queue.js';
import { DeliveryService } from './delivery.service.js';

/**
 * The worker side of the delivery queue. Registered at bootstrap rather than with `@Process`
 * so that whether this process delivers, and how many at once, are run-time options.
 */
@Injectable()
export class DeliveryProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger('HomingDeliveryProcessor');

  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly delivery: DeliveryService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.worker) return;
    this.queue
      .process(this.options.concurrency, (job: Job<DeliveryJob>) => this.delivery.deliver(job.data))
      .catch((error: Error) => this.logger.error(`delivery worker stopped: ${error.message}`));
  }
}
