import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { DELIVERY_QUEUE } from '../webhooks.constants.js';

/** A nudge to look at one delivery row; `attempts` pins it to the attempt it was queued for. */
export interface DeliveryJob {
  msgId: string;
  endpointId: string;
  attempts: number;
}

export interface DueDelivery extends DeliveryJob {
  dueAt?: Date | null;
}

@Injectable()
export class DeliveryQueue {
  constructor(@InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>) {}

  /**
   * Queues deliveries at their due time. The job id names the row and attempt, so queueing the same
   * one twice (the sweeper after a lost job, say) leaves one job.
   */
  /** Runs a delivery's queued job now instead of at its due time (or queues it if it has none). */
  async runNow(delivery: DeliveryJob): Promise<void> {
    const job = await this.queue.getJob(jobId(delivery));
    if (job && (await job.isDelayed())) await job.promote();
    else await this.enqueue([delivery]);
  }

  async enqueue(deliveries: readonly DueDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const now = Date.now();
    await this.queue.addBulk(
      deliveries.map(({ msgId, endpointId, attempts, dueAt }) => ({
        data: { msgId, endpointId, attempts },
        opts: {
          jobId: jobId({ msgId, endpointId, attempts }),
          delay: dueAt ? Math.max(0, dueAt.getTime() - now) : 0,
          attempts: 1,
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }
}

function jobId({ msgId, endpointId, attempts }: DeliveryJob): string {
  return `${msgId}:${endpointId}:${attempts}`;
}
