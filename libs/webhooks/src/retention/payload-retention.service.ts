import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { DeliveryEntity, MessageEntity } from '../entities/index.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { PeriodicTask } from '../common/periodic-task.js';
import { purgePayloads } from '../store/payload-purge.js';

/**
 * Empties message payloads past their retention, in batches, on every worker every `purgeInterval`
 * (replicas purging at once just share the rows). The message row, its deliveries and attempts stay.
 * A payload still owed to an endpoint (a delivery pending or sending) is kept until that ends.
 */
@Injectable()
export class PayloadRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HomingRetention');
  private readonly task = new PeriodicTask(
    async () => {
      const purged = await this.purge();
      if (purged > 0) this.logger.log(`purged ${purged} expired payloads`);
    },
    (error) => this.logger.warn(`payload purge failed, will retry: ${error.message}`),
  );

  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.worker) this.task.start(this.options.purgeIntervalMs);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Purges every payload expired at `now`; returns how many. */
  async purge(now = new Date()): Promise<number> {
    const owed = this.dataSource
      .createQueryBuilder()
      .subQuery()
      .select('1')
      .from(DeliveryEntity, 'delivery')
      .where(`delivery.msgId = ${this.dataSource.getMetadata(MessageEntity).tableName}.id`)
      .andWhere("delivery.status IN ('pending', 'sending')")
      .getQuery();
    return purgePayloads(this.dataSource, (query) => query.where('payloadExpiresAt <= :now', { now }).andWhere(`NOT EXISTS ${owed}`), now);
  }
}
