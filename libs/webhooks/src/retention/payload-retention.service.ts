import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { AttemptEntity, DeliveryEntity, MessageEntity } from '../entities/index.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { PeriodicTask } from '../common/periodic-task.js';
import { purgePayloads } from '../store/payload-purge.js';

/** Messages deleted per batch, with their deliveries and attempts: each DELETE stays short. */
const ROW_BATCH = 500;
/** How long one pass deletes rows; more rows than that are left to the next pass. */
const PASS_BUDGET_MS = 10_000;

/** What one pass of row deletion did; `finished` false: the budget ran out with rows left. */
export interface DeletedRows {
  messages: number;
  deliveries: number;
  attempts: number;
  finished: boolean;
}

/**
 * Retention, on every worker every `purgeInterval` (replicas at it at once just share the rows):
 * empties message payloads past their retention, then deletes messages older than `retention` with
 * their deliveries and attempts. A message still owed to an endpoint (a delivery pending or sending)
 * keeps its payload and its rows until that ends; a row goes only once its payload is purged.
 * A pass deletes rows for PASS_BUDGET_MS at most; with rows left the next pass follows after a rest
 * as long, not an interval later, so a backlog goes at about half the database's pace.
 */
@Injectable()
export class PayloadRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HomingRetention');
  private readonly failed = (error: Error) => this.logger.warn(`retention pass failed, will retry: ${error.message}`);
  private readonly task = new PeriodicTask(() => this.runPass(), this.failed);
  private passing?: Promise<void>;
  private followUp?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.background) this.task.start(this.options.purgeIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.followUp);
    await this.task.stop();
    await this.passing?.catch(() => undefined);
  }

  /** Purges every payload expired at `now`; returns how many. */
  async purge(now = new Date()): Promise<number> {
    return purgePayloads(this.dataSource, (query) => query.where('payloadExpiresAt <= :now', { now }).andWhere(`NOT EXISTS ${this.owed()}`), now);
  }

  /**
   * Deletes, oldest first and `batchSize` messages at a time, the messages created before
   * `now - retention` whose payload is purged and that owe no delivery, with their deliveries and
   * attempts; stops after `budgetMs` or on shutdown (a batch under way finishes). Nothing when retention is off.
   */
  async deleteExpiredRows(now = new Date(), { batchSize = ROW_BATCH, budgetMs = PASS_BUDGET_MS } = {}): Promise<DeletedRows> {
    const deleted: DeletedRows = { messages: 0, deliveries: 0, attempts: 0, finished: true };
    if (this.options.retentionMs === null) return deleted;
    const createdBefore = new Date(now.getTime() - this.options.retentionMs);
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const ids = await this.expiredMessages(createdBefore, batchSize);
      if (ids.length > 0) {
        // Children first, so a pass cut short leaves no attempt or delivery without its message.
        deleted.attempts += await this.deleteWhere(AttemptEntity, 'msgId', ids);
        deleted.deliveries += await this.deleteWhere(DeliveryEntity, 'msgId', ids);
        deleted.messages += await this.deleteWhere(MessageEntity, 'id', ids);
      }
      if (ids.length < batchSize) return deleted;
      // Shutting down: one batch more at most, not the rest of the budget.
      if (Date.now() >= deadline || this.stopping) return { ...deleted, finished: false };
    }
  }

  /** One pass at a time in this process, whether the interval or a follow-up starts it. */
  private runPass(): Promise<void> {
    return (this.passing ??= this.pass().finally(() => (this.passing = undefined)));
  }

  private async pass(): Promise<void> {
    clearTimeout(this.followUp);
    const purged = await this.purge();
    if (purged > 0) this.logger.log(`purged ${purged} expired payloads`);
    const rows = await this.deleteExpiredRows();
    if (rows.messages > 0) {
      this.logger.log(`deleted ${rows.messages} expired messages, ${rows.deliveries} deliveries and ${rows.attempts} attempts${rows.finished ? '' : ', more to come'}`);
    }
    if (!rows.finished && !this.stopping) {
      this.followUp = setTimeout(() => void this.runPass().catch(this.failed), PASS_BUDGET_MS);
    }
  }

  private async expiredMessages(createdBefore: Date, batchSize: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource
      .createQueryBuilder()
      .select('message.id', 'id')
      .from(MessageEntity, 'message')
      .where('message.payloadExpiresAt IS NULL')
      .andWhere('message.createdAt < :createdBefore', { createdBefore })
      .andWhere(`NOT EXISTS ${this.owed('message')}`)
      .orderBy('message.createdAt')
      .limit(batchSize)
      .getRawMany();
    return rows.map((row) => row.id);
  }

  private async deleteWhere(entity: EntityTarget<ObjectLiteral>, column: string, ids: string[]): Promise<number> {
    const result = await this.dataSource.createQueryBuilder().delete().from(entity).where(`${column} IN (:...ids)`, { ids }).execute();
    return result.affected ?? 0;
  }

  /** A delivery of the message (the table, or `alias`) still pending or being sent. */
  private owed(alias = this.dataSource.getMetadata(MessageEntity).tableName): string {
    return this.dataSource
      .createQueryBuilder()
      .subQuery()
      .select('1')
      .from(DeliveryEntity, 'delivery')
      .where(`delivery.msgId = ${alias}.id`)
      .andWhere("delivery.status IN ('pending', 'sending')")
      .getQuery();
  }
}
