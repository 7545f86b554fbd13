import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { RECEIVER_QUEUE, WEBHOOK_RECEIVER_OPTIONS } from '../webhooks.constants.js';
import type { ResolvedReceiverOptions } from './webhook-receiver-options.interface.js';
import type { QueuedWebhook } from './webhook-receiver.queue.js';
import { WebhookDispatcher } from './webhook.dispatcher.js';

/** Async mode's worker: runs queued deliveries' handlers; a failure is retried by Bull. */
@Injectable()
export class WebhookReceiverProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebhookReceiver');

  constructor(
    @InjectQueue(RECEIVER_QUEUE) private readonly queue: Queue<QueuedWebhook>,
    @Inject(WEBHOOK_RECEIVER_OPTIONS) private readonly options: ResolvedReceiverOptions,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.on('failed', (job: Job<QueuedWebhook>) => {
      if (job.attemptsMade >= (job.opts.attempts ?? 1)) {
        this.logger.error(`gave up on ${job.data.type} ${job.data.id} at /${job.data.route} after ${job.attemptsMade} runs; the job stays in the failed set`);
      }
    });
    this.queue
      .process(this.options.queue!.concurrency, (job: Job<QueuedWebhook>) => this.dispatcher.runQueued(job.data, job.attemptsMade + 1))
      .catch((error: Error) => this.logger.error(`receiver worker stopped: ${error.message}`));
  }
}
