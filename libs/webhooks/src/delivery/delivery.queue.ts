import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { DELIVERY_QUEUE } from '../webhooks.constants.js';

/** A nudge to look at one delivery row; `attempts` pins it to the attempt it was queued for. */
export interface DeliveryJob {
  msgId: string;
  endpointId: string;
  attempts: number;
  /** A throttle slot this job already holds (see DeliveryThrottle). */
  slotAt?: number;
}

export interface DueDelivery extends DeliveryJob {
  dueAt?: Date | null;
}

/** How long a caller waits on Redis before leaving the job to the sweeper. */
const REDIS_WAIT_MS = 2_000;

@Injectable()
export class DeliveryQueue {
  private readonly logger = new Logger('HomingDeliveryQueue');
  private redisDown = false;

  constructor(@InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>) {}

  /**
   * Queues deliveries at their due time. Never fails the caller: the delivery rows are the record,
   * and what Redis cannot take now (down, slow) the sweeper queues later. The job id names the row
   * and attempt, so queueing the same one twice leaves one job.
   */
  async enqueue(deliveries: readonly DueDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const now = Date.now();
    await this.bounded(`queue ${deliveries.length} deliveries`, () =>
      this.queue.addBulk(
        deliveries.map(({ msgId, endpointId, attempts, slotAt, dueAt }) => ({
          data: { msgId, endpointId, attempts, slotAt },
          opts: {
            jobId: jobId({ msgId, endpointId, attempts, slotAt }),
            delay: dueAt ? Math.max(0, dueAt.getTime() - now) : 0,
            attempts: 1,
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      ),
    );
  }

  /** Runs a delivery's queued job now instead of at its due time (or queues it if it has none). */
  async runNow(delivery: DeliveryJob): Promise<void> {
    await this.bounded('run a delivery now', async () => {
      const job = await this.queue.getJob(jobId(delivery));
      if (job && (await job.isDelayed())) await job.promote();
      else await this.enqueue([delivery]);
    });
  }

  private async bounded(what: string, work: () => Promise<unknown>): Promise<void> {
    // Disconnected: no point queueing commands behind a reconnect; the sweeper covers it.
    if (this.queue.client.status !== 'ready') {
      if (!this.redisDown) this.logger.warn(`Redis is not connected (${this.queue.client.status}); due deliveries will be queued by the sweeper`);
      this.redisDown = true;
      return;
    }
    this.redisDown = false;
    let timer: NodeJS.Timeout | undefined;
    const pending = work();
    // If Redis answers after we stopped waiting, the job is queued after all; a late failure is moot.
    pending.catch(() => undefined);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${REDIS_WAIT_MS} ms`)), REDIS_WAIT_MS);
    });
    try {
      await Promise.race([pending, timeout]);
    } catch (error) {
      this.logger.warn(`could not ${what}; the sweeper will: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function jobId({ msgId, endpointId, attempts, slotAt }: DeliveryJob): string {
  // A throttled job is queued again while it still runs: its slot gives it an id of its own.
  return `${msgId}:${endpointId}:${attempts}${slotAt === undefined ? '' : `:${slotAt}`}`;
}
