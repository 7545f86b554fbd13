import type { IncomingHttpHeaders } from 'node:http';
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { RECEIVER_QUEUE, WEBHOOK_RECEIVER_OPTIONS } from '../webhooks.constants.js';
import type { WebhookContext } from './webhook-context.js';
import type { ResolvedReceiverOptions } from './webhook-receiver-options.interface.js';

/** A verified delivery waiting for its handlers: everything they get, as JSON. */
export interface QueuedWebhook {
  /** Key of the `@WebhookController` it arrived at. */
  route: string;
  id: string;
  type: string;
  /** Epoch ms. */
  timestamp: number;
  /** Base64, so the bytes come back exactly. */
  rawBody: string;
  headers: IncomingHttpHeaders;
}

/** Async mode's queue: a job per verified delivery, retried with exponential backoff, kept in Bull's failed set when it gives up. */
@Injectable()
export class WebhookReceiverQueue {
  constructor(
    @InjectQueue(RECEIVER_QUEUE) private readonly queue: Queue<QueuedWebhook>,
    @Inject(WEBHOOK_RECEIVER_OPTIONS) private readonly options: ResolvedReceiverOptions,
  ) {}

  async add(route: string, context: WebhookContext): Promise<void> {
    const { attempts, backoffMs } = this.options.queue!;
    await this.queue.add(
      { route, id: context.id, type: context.type, timestamp: context.timestamp.getTime(), rawBody: context.rawBody.toString('base64'), headers: context.headers },
      { jobId: `${route}:${context.id}`, attempts, backoff: { type: 'exponential', delay: backoffMs }, removeOnComplete: true, removeOnFail: false },
    );
  }
}
