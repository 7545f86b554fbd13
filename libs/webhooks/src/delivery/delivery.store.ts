import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import { ApplicationEntity, AttemptEntity, DeliveryEntity, EndpointEntity, MessageEntity } from '../entities/index.js';
import { retryingDeadlocks } from '../entities/database-errors.js';
import { hydrate, selectColumns } from '../entities/plain-sql.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { CallBatcher } from './call-batcher.js';
import type { DeliveryJob } from './delivery.queue.js';

/** A claimed delivery with what it is sent to and from; the others are null when gone since it was queued. */
export interface LoadedDelivery {
  delivery: DeliveryEntity;
  message: MessageEntity | null;
  endpoint: EndpointEntity | null;
  application: ApplicationEntity | null;
}

type Row = Record<string, unknown>;
type Finish = { job: DeliveryJob; changes: Partial<DeliveryEntity> };
type Claim = { job: DeliveryJob; leaseUntil: Date; at: Date };

const key = (job: Pick<DeliveryJob, 'msgId' | 'endpointId'>) => `${job.msgId} ${job.endpointId}`;

/**
 * The statements of the delivery hot path, as plain SQL built once from the entity metadata. Loads and
 * records of deliveries running at the same time go out together (see CallBatcher): one SELECT for
 * their rows, one INSERT for their attempts, one UPDATE for their outcomes. Values are converted exactly
 * as TypeORM's own reads and writes convert them (the driver's `prepareHydratedValue` /
 * `preparePersistentValue`). Claims are batched too, in a transaction that locks the rows it takes.
 */
@Injectable()
export class DeliveryStore {
  private statements?: ReturnType<DeliveryStore['build']>;
  private readonly claims = new CallBatcher<Claim, boolean>((claims) => this.claimAll(claims));
  private readonly loads = new CallBatcher<DeliveryJob, LoadedDelivery | null>((jobs) => this.loadAll(jobs));
  private readonly attempts = new CallBatcher<AttemptEntity, void>((attempts) => this.insertAttempts(attempts));
  private readonly finishes = new CallBatcher<Finish, void>((finishes) => this.finishAll(finishes));

  constructor(@InjectWebhooksDataSource() private readonly dataSource: DataSource) {}

  /** Takes the row for this attempt; false when another worker has it or it is no longer owed. */
  claim(job: DeliveryJob, leaseUntil: Date, at: Date): Promise<boolean> {
    return this.claims.call({ job, leaseUntil, at });
  }

  /** The delivery row with its message, endpoint and application. */
  load(job: DeliveryJob): Promise<LoadedDelivery | null> {
    return this.loads.call(job);
  }

  insertAttempt(attempt: AttemptEntity): Promise<void> {
    return this.attempts.call(attempt);
  }

  /** Changes a row this worker holds for attempt `job.attempts`; a row the sweeper took back is left alone. */
  finish(job: DeliveryJob, changes: Partial<DeliveryEntity>): Promise<void> {
    return this.finishes.call({ job, changes });
  }

  /**
   * One transaction for the batch: lock the rows still owed for these attempts, then mark them sent.
   * The lock makes it exact: a row another worker holds is waited for and then seen as no longer
   * pending. Two jobs for one row in a batch (a throttled job and its successor) claim it once.
   */
  private claimAll(claims: Claim[]): Promise<boolean[]> {
    const lease = claims.reduce((latest, claim) => (claim.leaseUntil > latest.leaseUntil ? claim : latest));
    const claimOnce = async (manager: EntityManager) => {
      const owed = (await manager.query(
        `${this.sql.lockOwed} (${claims.map(() => this.sql.whereAttempt).join(' OR ')}) FOR UPDATE`,
        claims.flatMap(({ job }) => [job.msgId, job.endpointId, job.attempts]),
      )) as DeliveryJob[];
      if (owed.length === 0) return claims.map(() => false);
      await manager.query(`${this.sql.markSending} ${owed.map(() => `(${this.sql.wherePrimaryUnaliased})`).join(' OR ')}`, [
        lease.leaseUntil,
        lease.at,
        ...owed.flatMap((row) => [row.msgId, row.endpointId]),
      ]);
      const held = new Set(owed.map((row) => `${key(row)} ${row.attempts}`));
      return claims.map(({ job }) => held.delete(`${key(job)} ${job.attempts}`));
    };
    // Read committed: locks on the rows found only, no gap locks to hold up the producer's inserts.
    return retryingDeadlocks(() => this.dataSource.transaction('READ COMMITTED', claimOnce));
  }

  private async loadAll(jobs: DeliveryJob[]): Promise<(LoadedDelivery | null)[]> {
    const rows = (await this.dataSource.query(`${this.sql.load} WHERE ${jobs.map(() => this.sql.wherePrimary).join(' OR ')}`, jobs.flatMap((job) => [job.msgId, job.endpointId]))) as Row[];
    const { delivery, message, endpoint, application } = this.sql.tables;
    const loaded = new Map<string, LoadedDelivery>();
    for (const row of rows) {
      const entity = hydrate<DeliveryEntity>(this.dataSource, delivery, row, 'd')!;
      loaded.set(key(entity), {
        delivery: entity,
        message: hydrate<MessageEntity>(this.dataSource, message, row, 'm'),
        endpoint: hydrate<EndpointEntity>(this.dataSource, endpoint, row, 'e'),
        application: hydrate<ApplicationEntity>(this.dataSource, application, row, 'a'),
      });
    }
    return jobs.map((job) => loaded.get(key(job)) ?? null);
  }

  private async insertAttempts(attempts: AttemptEntity[]): Promise<void[]> {
    const { columns } = this.sql.tables.attempt;
    const driver = this.dataSource.driver;
    const sql = `${this.sql.insertAttempts} ${attempts.map(() => this.sql.attemptValues).join(', ')}`;
    const parameters = attempts.flatMap((attempt) => columns.map((column) => driver.preparePersistentValue(attempt[column.propertyName as keyof AttemptEntity], column)));
    await retryingDeadlocks(() => this.dataSource.query(sql, parameters));
    return attempts.map(() => undefined);
  }

  /** One UPDATE per set of changed columns: each column takes its row's value by primary key. */
  private async finishAll(finishes: Finish[]): Promise<void[]> {
    const groups = new Map<string, Finish[]>();
    for (const finish of finishes) {
      const columns = Object.keys(finish.changes).join();
      groups.set(columns, [...(groups.get(columns) ?? []), finish]);
    }
    const metadata = this.sql.tables.delivery;
    const driver = this.dataSource.driver;
    for (const group of groups.values()) {
      const columns = Object.keys(group[0].changes).map((property) => metadata.findColumnWithPropertyName(property)!);
      const parameters: unknown[] = [];
      const assignments = columns.map((column) => {
        for (const { job, changes } of group) parameters.push(job.msgId, job.endpointId, driver.preparePersistentValue(changes[column.propertyName as keyof DeliveryEntity], column));
        return `${driver.escape(column.databaseName)} = CASE ${group.map(() => `WHEN ${this.sql.wherePrimaryUnaliased} THEN ?`).join(' ')} END`;
      });
      for (const { job } of group) parameters.push(job.msgId, job.endpointId, job.attempts);
      const sql = `UPDATE ${driver.escape(metadata.tableName)} SET ${assignments.join(', ')} WHERE ${this.sql.held} AND (${group.map(() => this.sql.whereAttempt).join(' OR ')})`;
      await retryingDeadlocks(() => this.dataSource.query(sql, parameters));
    }
    return finishes.map(() => undefined);
  }

  private get sql() {
    return (this.statements ??= this.build());
  }

  private build() {
    const driver = this.dataSource.driver;
    const metadata = (target: EntityTarget<ObjectLiteral>) => this.dataSource.getMetadata(target);
    const tables = {
      delivery: metadata(DeliveryEntity),
      message: metadata(MessageEntity),
      endpoint: metadata(EndpointEntity),
      application: metadata(ApplicationEntity),
      attempt: metadata(AttemptEntity),
    };
    const table = (entity: EntityMetadata) => driver.escape(entity.tableName);
    const column = (entity: EntityMetadata, property: string) => driver.escape(entity.findColumnWithPropertyName(property)!.databaseName);
    const select = (entity: EntityMetadata, alias: string) => selectColumns(this.dataSource, entity, alias);
    const { delivery, message, endpoint, application, attempt } = tables;
    const d = (property: string) => column(delivery, property);
    return {
      tables,
      lockOwed: `SELECT ${d('msgId')}, ${d('endpointId')}, ${d('attempts')} FROM ${table(delivery)} WHERE ${d('status')} = 'pending' AND`,
      markSending: `UPDATE ${table(delivery)} SET ${d('status')} = 'sending', ${d('leaseUntil')} = ?, ${d('updatedAt')} = ? WHERE`,
      held: `${d('status')} = 'sending'`,
      whereAttempt: `(${d('msgId')} = ? AND ${d('endpointId')} = ? AND ${d('attempts')} = ?)`,
      wherePrimary: `(d.${d('msgId')} = ? AND d.${d('endpointId')} = ?)`,
      wherePrimaryUnaliased: `${d('msgId')} = ? AND ${d('endpointId')} = ?`,
      load:
        `SELECT ${select(delivery, 'd')}, ${select(message, 'm')}, ${select(endpoint, 'e')}, ${select(application, 'a')} ` +
        `FROM ${table(delivery)} d ` +
        `LEFT JOIN ${table(message)} m ON m.${column(message, 'id')} = d.${d('msgId')} ` +
        `LEFT JOIN ${table(endpoint)} e ON e.${column(endpoint, 'id')} = d.${d('endpointId')} ` +
        `LEFT JOIN ${table(application)} a ON a.${column(application, 'id')} = m.${column(message, 'appId')}`,
      insertAttempts: `INSERT INTO ${table(attempt)} (${attempt.columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES`,
      attemptValues: `(${attempt.columns.map(() => '?').join(', ')})`,
    };
  }
}
