import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, LessThan, LessThanOrEqual } from 'typeorm';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { DeliveryEntity } from '../entities/index.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { DeliveryQueue } from '../queue/delivery.queue.js';
import { PeriodicTask } from '../common/periodic-task.js';

const BATCH = 1000;

/**
 * The database says what is owed; the queue is only a fast path. The sweeper re-queues deliveries
 * that are due but were never queued or whose job was lost (Redis flushed, enqueue failed, or failed
 * while the database was unreachable), and frees rows whose worker died mid-attempt. It is also what
 * ends a database outage for the workers: its first pass that reaches the database queues what is owed.
 */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HomingSweeper');
  /** Whether the last pass failed: an outage is reported when it begins and when it ends, not every pass. */
  private failing = false;
  private readonly task = new PeriodicTask(
    async () => {
      const queued = await this.sweep();
      if (this.failing) this.logger.log(`sweeping again: ${queued} owed deliveries queued`);
      this.failing = false;
    },
    (error) => {
      if (!this.failing) this.logger.warn(`sweep failed, retrying every ${this.options.sweepIntervalMs} ms: ${error.message}`);
      this.failing = true;
    },
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
