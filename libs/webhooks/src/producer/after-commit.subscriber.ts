import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { DataSource, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';

/**
 * Runs work once a host's transaction has committed (the outermost one, not a savepoint), and drops
 * it on rollback: messages written in a host transaction are queued only if they come to exist.
 */
@Injectable()
export class AfterCommitSubscriber implements EntitySubscriberInterface, OnModuleInit {
  private readonly logger = new Logger('HomingOutbox');
  private readonly pending = new WeakMap<QueryRunner, (() => Promise<void>)[]>();

  constructor(@InjectWebhooksDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  defer(queryRunner: QueryRunner, task: () => Promise<void>): void {
    const tasks = this.pending.get(queryRunner) ?? [];
    tasks.push(task);
    this.pending.set(queryRunner, tasks);
  }

  async afterTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    if (queryRunner.isTransactionActive) return;
    const tasks = this.pending.get(queryRunner) ?? [];
    this.pending.delete(queryRunner);
    for (const task of tasks) await task().catch((error: Error) => this.logger.warn(`after-commit work failed (the sweeper will redo it): ${error.message}`));
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (!queryRunner.isTransactionActive) this.pending.delete(queryRunner);
  }
}
