import { Injectable } from '@nestjs/common';
import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import { ApplicationEntity, AttemptEntity, DeliveryEntity, EndpointEntity, MessageEntity } from '../entities/index.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import type { DeliveryJob } from './delivery.queue.js';

/** A claimed delivery with what it is sent to and from; the others are null when gone since it was queued. */
export interface LoadedDelivery {
  delivery: DeliveryEntity;
  message: MessageEntity | null;
  endpoint: EndpointEntity | null;
  application: ApplicationEntity | null;
}

/**
 * The statements of the delivery hot path, as plain SQL built once from the entity metadata:
 * one round trip each, without a query builder per call. Values are converted exactly as TypeORM's
 * own reads and writes convert them (the driver's `prepareHydratedValue` / `preparePersistentValue`).
 */
@Injectable()
export class DeliveryStore {
  private statements?: ReturnType<DeliveryStore['build']>;

  constructor(@InjectWebhooksDataSource() private readonly dataSource: DataSource) {}

  /** Takes the row for this attempt; false when another worker has it or it is no longer owed. */
  async claim(job: DeliveryJob, leaseUntil: Date, at: Date): Promise<boolean> {
    const result = (await this.dataSource.query(this.sql.claim, [leaseUntil, at, job.msgId, job.endpointId, job.attempts])) as { affectedRows: number };
    return result.affectedRows === 1;
  }

  /** The delivery row with its message, endpoint and application, in one query. */
  async load(job: DeliveryJob): Promise<LoadedDelivery | null> {
    const rows = (await this.dataSource.query(this.sql.load, [job.msgId, job.endpointId])) as Record<string, unknown>[];
    if (rows.length === 0) return null;
    const [row] = rows;
    const { delivery, message, endpoint, application } = this.sql.tables;
    return {
      delivery: this.hydrate<DeliveryEntity>(delivery, row, 'd')!,
      message: this.hydrate<MessageEntity>(message, row, 'm'),
      endpoint: this.hydrate<EndpointEntity>(endpoint, row, 'e'),
      application: this.hydrate<ApplicationEntity>(application, row, 'a'),
    };
  }

  /** Changes a row this worker holds for attempt `job.attempts`; a row the sweeper took back is left alone. */
  async finish(job: DeliveryJob, changes: Partial<DeliveryEntity>): Promise<void> {
    const metadata = this.sql.tables.delivery;
    const columns = Object.keys(changes).map((property) => metadata.findColumnWithPropertyName(property)!);
    const driver = this.dataSource.driver;
    await this.dataSource.query(
      `UPDATE ${driver.escape(metadata.tableName)} SET ${columns.map((column) => `${driver.escape(column.databaseName)} = ?`).join(', ')} ${this.sql.whereHeld}`,
      [...columns.map((column) => driver.preparePersistentValue(changes[column.propertyName as keyof DeliveryEntity], column)), job.msgId, job.endpointId, job.attempts],
    );
  }

  async insertAttempt(attempt: AttemptEntity): Promise<void> {
    const metadata = this.sql.tables.attempt;
    const driver = this.dataSource.driver;
    await this.dataSource.query(
      this.sql.insertAttempt,
      metadata.columns.map((column) => driver.preparePersistentValue(attempt[column.propertyName as keyof AttemptEntity], column)),
    );
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
    const select = (entity: EntityMetadata, alias: string) =>
      entity.columns.map((c) => `${alias}.${driver.escape(c.databaseName)} AS ${driver.escape(`${alias}_${c.databaseName}`)}`).join(', ');
    const { delivery, message, endpoint, application, attempt } = tables;
    const d = (property: string) => column(delivery, property);
    return {
      tables,
      claim:
        `UPDATE ${table(delivery)} SET ${d('status')} = 'sending', ${d('leaseUntil')} = ?, ${d('updatedAt')} = ? ` +
        `WHERE ${d('msgId')} = ? AND ${d('endpointId')} = ? AND ${d('status')} = 'pending' AND ${d('attempts')} = ?`,
      whereHeld: `WHERE ${d('msgId')} = ? AND ${d('endpointId')} = ? AND ${d('status')} = 'sending' AND ${d('attempts')} = ?`,
      load:
        `SELECT ${select(delivery, 'd')}, ${select(message, 'm')}, ${select(endpoint, 'e')}, ${select(application, 'a')} ` +
        `FROM ${table(delivery)} d ` +
        `LEFT JOIN ${table(message)} m ON m.${column(message, 'id')} = d.${d('msgId')} ` +
        `LEFT JOIN ${table(endpoint)} e ON e.${column(endpoint, 'id')} = d.${d('endpointId')} ` +
        `LEFT JOIN ${table(application)} a ON a.${column(application, 'id')} = m.${column(message, 'appId')} ` +
        `WHERE d.${d('msgId')} = ? AND d.${d('endpointId')} = ?`,
      insertAttempt:
        `INSERT INTO ${table(attempt)} (${attempt.columns.map((c) => driver.escape(c.databaseName)).join(', ')}) ` +
        `VALUES (${attempt.columns.map(() => '?').join(', ')})`,
    };
  }

  /** The entity under `alias` in a joined row, or null when its (primary) row was missing. */
  private hydrate<T>(metadata: EntityMetadata, row: Record<string, unknown>, alias: string): T | null {
    const primary = metadata.primaryColumns[0];
    if (row[`${alias}_${primary.databaseName}`] === null) return null;
    const entity = metadata.create() as Record<string, unknown>;
    for (const column of metadata.columns) {
      entity[column.propertyName] = this.dataSource.driver.prepareHydratedValue(row[`${alias}_${column.databaseName}`], column);
    }
    return entity as T;
  }
}
