import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, LessThan, LessThanOrEqual } from 'typeorm';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { DeliveryEntity } from '../entities/index.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { DeliveryQueue } from './delivery.queue.js';
import { PeriodicTask } from './periodic-task.js';

const BATCH = 1000;

/**
 * The database says what is owed; the queue is only a fast path. The sweeper re-queues deliveries
 * that are due but were never queued or whose job was lost (Redis flushed, enqueue failed), and
 * frees rows whose worker died mid-attempt.
 */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HomingSweeper');
  private readonly task = new PeriodicTask(
    async () => void (await this.sweep()),
    (error) => this.logger.warn(`sweep failed, will retry: ${error.message}`),
  );

  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly queue: DeliveryQueue,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.worker) this.task.start(this.options.sweepIntervalMs);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; returns how many deliveries it queued. */
  async sweep(now = new Date()): Promise<number> {
    const deliveries = this.dataSource.getRepository(DeliveryEntity);
    // A lapsed lease means its worker died mid-attempt. The interrupted attempt counts (it may have
    // reached the receiver), which also gives the row a job id that no stalled job of the dead worker holds.
    await deliveries
      .createQueryBuilder()
      .update()
      .set({ status: 'pending', attempts: () => 'attempts + 1', nextAttemptAt: now, leaseUntil: null, updatedAt: now })
      .where({ status: 'sending', leaseUntil: LessThan(now) })
      .execute();
    // Rows due within the last interval are most likely still queued; leave them to their job.
    const dueBefore = new Date(now.getTime() - this.options.sweepIntervalMs);
    const due = await deliveries.find({
      select: { msgId: true, endpointId: true, attempts: true },
      where: { status: 'pending', nextAttemptAt: LessThanOrEqual(dueBefore) },
      order: { nextAttemptAt: 'ASC' },
      take: BATCH,
    });
    await this.queue.enqueue(due);
    return due.length;
  }
}
