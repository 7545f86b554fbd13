import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, type DataSource, type EntityMetadata, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { ApplicationEntity, AttemptEntity, DeliveryEntity, EndpointEntity, EventTypeEntity, MessageEntity, type LoadedDelivery } from '../entities/index.js';
import { retryingDeadlocks } from '../entities/database-errors.js';
import { hydrate, insertRows, selectColumns } from './plain-sql.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { CallBatcher } from '../common/call-batcher.js';
import type { DeliveryJob } from '../queue/delivery.queue.js';

/** Of the message's event type, the load reads only its own retry schedule. */
const EVENT_TYPE_COLUMNS = ['name', 'retrySchedule'] as const;

type Row = Record<string, unknown>;
type Finish = { job: DeliveryJob; changes: Partial<DeliveryEntity> };
type Claim = { job: DeliveryJob; leaseUntil: Date; at: Date };

const key = (job: Pick<DeliveryJob, 'msgId' | 'endpointId'>) => `${job.msgId} ${job.endpointId}`;

/**
 * The statements of the delivery hot path, as plain SQL built once from the entity metadata. Loads and
 * records of deliveries running at the same time go out together (see CallBatcher): one UPDATE that
 * claims their rows and one SELECT that reads back the ones it took, one INSERT for their attempts, one
 * UPDATE for their outcomes. Values are converted exactly as TypeORM's own reads and writes convert them
 * (the driver's `prepareHydratedValue` / `preparePersistentValue`).
 */
@Injectable()
export class DeliveryStore {
  private statements?: ReturnType<DeliveryStore['build']>;
  private readonly claims = new CallBatcher<Claim, LoadedDelivery | null>((claims) => this.claimAll(claims));
  private readonly attempts = new CallBatcher<AttemptEntity, void>((attempts) => this.insertAttempts(attempts));
  private readonly finishes = new CallBatcher<Finish, void>((finishes) => this.finishAll(finishes));
  private readonly schedules = new CallBatcher<string, number[] | null>((eventTypes) => this.readSchedules(eventTypes));

  constructor(@InjectWebhooksDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the row for this attempt and reads it with its message, endpoint and application; null when
   * another worker has it or it is no longer owed.
   */
  claim(job: DeliveryJob, leaseUntil: Date, at: Date): Promise<LoadedDelivery | null> {
    return this.claims.call({ job, leaseUntil, at });
  }

  /** The event type's own retry schedule (ms), or null when it has none (or no longer exists). */
  retrySchedule(eventType: string): Promise<number[] | null> {
    return this.schedules.call(eventType);
  }

  /** One SELECT for the event types of the failures recorded at the same time. */
  private async readSchedules(eventTypes: string[]): Promise<(number[] | null)[]> {
    const found = await this.dataSource.getRepository(EventTypeEntity).find({ where: { name: In([...new Set(eventTypes)]) }, select: { name: true, retrySchedule: true } });
    // Names compare byte for byte in the table (binary columns): matched here the same way.
    const byName = new Map(found.map((type) => [type.name, type.retrySchedule]));
    return eventTypes.map((name) => byName.get(name) ?? null);
  }

  insertAttempt(attempt: AttemptEntity): Promise<void> {
    return this.attempts.call(attempt);
  }

  /** Changes a row this worker holds for attempt `job.attempts`; a row the sweeper took back is left alone. */
  finish(job: DeliveryJob, changes: Partial<DeliveryEntity>): Promise<void> {
    return this.finishes.call({ job, changes });
  }

  /**
   * One UPDATE takes the rows still owed for these attempts, marking them with a claim id of this batch;
   * the row lock of that UPDATE makes it exact (a row another worker took is no longer pending). One
   * SELECT then reads back the rows that carry the claim id. Two jobs for one row in a batch (a throttled
   * job and its successor) claim it once.
   */
  private async claimAll(claims: Claim[]): Promise<(LoadedDelivery | null)[]> {
    const lease = claims.reduce((latest, claim) => (claim.leaseUntil > latest.leaseUntil ? claim : latest));
    const claimId = randomBytes(16).toString('hex');
    const { affectedRows } = (await retryingDeadlocks(() =>
      this.dataSource.query(`${this.sql.claim} (${claims.map(() => this.sql.whereAttempt).join(' OR ')})`, [
        lease.leaseUntil,
        lease.at,
        claimId,
        ...claims.flatMap(({ job }) => [job.msgId, job.endpointId, job.attempts]),
      ]),
    )) as { affectedRows: number };
    if (affectedRows === 0) return claims.map(() => null);
    const rows = (await this.dataSource.query(`${this.sql.load} WHERE d.${this.sql.claimId} = ? AND (${claims.map(() => this.sql.wherePrimary).join(' OR ')})`, [
      claimId,
      ...claims.flatMap(({ job }) => [job.msgId, job.endpointId]),
    ])) as Row[];
    const { delivery, message, endpoint, application, eventType } = this.sql.tables;
    const taken = new Map<string, LoadedDelivery>();
    for (const row of rows) {
      const entity = hydrate<DeliveryEntity>(this.dataSource, delivery, row, 'd')!;
      taken.set(`${key(entity)} ${entity.attempts}`, {
        delivery: entity,
        message: hydrate<MessageEntity>(this.dataSource, message, row, 'm'),
        endpoint: hydrate<EndpointEntity>(this.dataSource, endpoint, row, 'e'),
        application: hydrate<ApplicationEntity>(this.dataSource, application, row, 'a'),
        retrySchedule: hydrate<EventTypeEntity>(this.dataSource, eventType, row, 't', EVENT_TYPE_COLUMNS)?.retrySchedule ?? null,
      });
    }
    return claims.map(({ job }) => {
      const attempt = `${key(job)} ${job.attempts}`;
      const loaded = taken.get(attempt) ?? null;
      taken.delete(attempt);
      return loaded;
    });
  }

  private async insertAttempts(attempts: AttemptEntity[]): Promise<void[]> {
    await retryingDeadlocks(() => insertRows(this.dataSource.manager, this.sql.tables.attempt, attempts));
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
      eventType: metadata(EventTypeEntity),
    };
    const table = (entity: EntityMetadata) => driver.escape(entity.tableName);
    const column = (entity: EntityMetadata, property: string) => driver.escape(entity.findColumnWithPropertyName(property)!.databaseName);
    const select = (entity: EntityMetadata, alias: string) => selectColumns(this.dataSource, entity, alias);
    const { delivery, message, endpoint, application, eventType } = tables;
    const d = (property: string) => column(delivery, property);
    return {
      tables,
      // A row with no next attempt waits in an ordered endpoint's line (DeliveryLines): not due, whatever job names it.
      claim: `UPDATE ${table(delivery)} SET ${d('status')} = 'sending', ${d('leaseUntil')} = ?, ${d('updatedAt')} = ?, ${d('claimId')} = ? WHERE ${d('status')} = 'pending' AND ${d('nextAttemptAt')} IS NOT NULL AND`,
      claimId: d('claimId'),
      held: `${d('status')} = 'sending'`,
      whereAttempt: `(${d('msgId')} = ? AND ${d('endpointId')} = ? AND ${d('attempts')} = ?)`,
      wherePrimary: `(d.${d('msgId')} = ? AND d.${d('endpointId')} = ?)`,
      wherePrimaryUnaliased: `${d('msgId')} = ? AND ${d('endpointId')} = ?`,
      load:
        `SELECT ${select(delivery, 'd')}, ${select(message, 'm')}, ${select(endpoint, 'e')}, ${select(application, 'a')}, ${selectColumns(this.dataSource, eventType, 't', EVENT_TYPE_COLUMNS)} ` +
        `FROM ${table(delivery)} d ` +
        `LEFT JOIN ${table(message)} m ON m.${column(message, 'id')} = d.${d('msgId')} ` +
        `LEFT JOIN ${table(endpoint)} e ON e.${column(endpoint, 'id')} = d.${d('endpointId')} ` +
        `LEFT JOIN ${table(application)} a ON a.${column(application, 'id')} = m.${column(message, 'appId')} ` +
        // By primary key, so a type's own retry schedule costs the hot path no query of its own.
        `LEFT JOIN ${table(eventType)} t ON t.${column(eventType, 'name')} = m.${column(message, 'eventType')}`,
    };
  }
}
