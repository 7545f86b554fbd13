import type { DataSource, EntityManager } from 'typeorm';
import { idFirst } from '../common/lookup.js';
import { ApplicationEntity, DeliveryEntity, EndpointEntity, MessageEntity } from '../entities/index.js';
import { hydrate, insertRows, selectColumns } from './plain-sql.js';

/** An application as a path names it, and its enabled endpoints. */
export interface Subscribers {
  application: ApplicationEntity;
  endpoints: EndpointEntity[];
}

/** A message and what it owes. */
export interface Publication {
  message: MessageEntity;
  deliveries: DeliveryEntity[];
  /** Of its endpoints, those that take their deliveries in order (see DeliveryLines). */
  ordered: ReadonlySet<string>;
}

const SUBSCRIBERS_SQL = new WeakMap<DataSource, string>();

/**
 * For each id or uid, its application (an id wins, see `idFirst`) with its enabled endpoints, or null:
 * all in one query, for the producer's batched lookups. Whole rows: a delivery started as its message is
 * written is sent from them (see DeliveryQueue.reserveLocal).
 */
export async function findSubscribers(dataSource: DataSource, idsOrUids: readonly string[]): Promise<(Subscribers | null)[]> {
  const applications = dataSource.getMetadata(ApplicationEntity);
  const endpoints = dataSource.getMetadata(EndpointEntity);
  const sql = (name: string) => dataSource.driver.escape(name);
  let select = SUBSCRIBERS_SQL.get(dataSource);
  if (!select) {
    select =
      `SELECT ${selectColumns(dataSource, applications, 'a')}, ${selectColumns(dataSource, endpoints, 'e')} ` +
      `FROM ${sql(applications.tableName)} a LEFT JOIN ${sql(endpoints.tableName)} e ON e.${sql('appId')} = a.${sql('id')} AND e.${sql('disabled')} = 0 WHERE`;
    SUBSCRIBERS_SQL.set(dataSource, select);
  }
  const wanted = [...new Set(idsOrUids)];
  const list = wanted.map(() => '?').join(', ');
  const rows = (await dataSource.query(`${select} a.${sql('id')} IN (${list}) OR a.${sql('uid')} IN (${list})`, [...wanted, ...wanted])) as Record<string, unknown>[];
  const found = new Map<string, Subscribers>();
  for (const row of rows) {
    const appId = row.a_id as string;
    if (!found.has(appId)) found.set(appId, { application: hydrate<ApplicationEntity>(dataSource, applications, row, 'a')!, endpoints: [] });
    const endpoint = hydrate<EndpointEntity>(dataSource, endpoints, row, 'e');
    if (endpoint) found.get(appId)!.endpoints.push(endpoint);
  }
  const candidates = [...found.values()].map((subscribers) => ({ id: subscribers.application.id, uid: subscribers.application.uid, subscribers }));
  return idsOrUids.map((idOrUid) => idFirst(candidates, idOrUid, 'uid')?.subscribers ?? null);
}

/** Writes messages and their deliveries with the writer (in its transaction, if it has one). */
export async function insertPublications(writer: EntityManager, publications: readonly Publication[]): Promise<void> {
  // Plain INSERTs: TypeORM's insert builder costs more CPU than the database does for the same rows.
  await insertRows(writer, writer.connection.getMetadata(MessageEntity), publications.map((publication) => publication.message));
  const deliveries = publications.flatMap((publication) => publication.deliveries);
  if (deliveries.length > 0) await insertRows(writer, writer.connection.getMetadata(DeliveryEntity), deliveries);
}
