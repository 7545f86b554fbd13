import type { DataSource, EntityManager, EntityMetadata } from 'typeorm';
import { idFirst } from '../common/lookup.js';
import { ApplicationEntity, DeliveryEntity, EndpointEntity, MessageEntity } from '../entities/index.js';
import { hydrate, insertRows, selectColumns } from './plain-sql.js';

/** What the producer needs of an endpoint to fan a message out. */
export type Subscriber = Pick<EndpointEntity, 'id' | 'filterTypes' | 'channels' | 'ordering'>;
const SUBSCRIBER = ['id', 'filterTypes', 'channels', 'ordering'];

/** An application as a path names it, and its enabled endpoints. */
export interface Subscribers {
  appId: string;
  endpoints: Subscriber[];
}

/** A message and what it owes. */
export interface Publication {
  message: MessageEntity;
  deliveries: DeliveryEntity[];
  /** Of its endpoints, those that take their deliveries in order (see DeliveryLines). */
  ordered: ReadonlySet<string>;
}

/** The tables these statements read, and a way to name their columns; each statement's text is built once per DataSource. */
interface Tables {
  applications: EntityMetadata;
  endpoints: EntityMetadata;
  name: (name: string) => string;
}

function statement(cache: WeakMap<DataSource, string>, dataSource: DataSource, build: (tables: Tables) => string): Tables & { select: string } {
  const tables = { applications: dataSource.getMetadata(ApplicationEntity), endpoints: dataSource.getMetadata(EndpointEntity), name: (name: string) => dataSource.driver.escape(name) };
  let select = cache.get(dataSource);
  if (!select) cache.set(dataSource, (select = build(tables)));
  return { ...tables, select };
}

const SUBSCRIBERS_SQL = new WeakMap<DataSource, string>();

/**
 * For each id or uid, its application (an id wins, see `idFirst`) with its enabled endpoints, or null:
 * all in one query, for the producer's batched lookups.
 */
export async function findSubscribers(dataSource: DataSource, idsOrUids: readonly string[]): Promise<(Subscribers | null)[]> {
  const { endpoints, name, select } = statement(
    SUBSCRIBERS_SQL,
    dataSource,
    ({ applications, endpoints, name }) =>
      `SELECT ${selectColumns(dataSource, applications, 'a', ['id', 'uid'])}, ${selectColumns(dataSource, endpoints, 'e', SUBSCRIBER)} ` +
      `FROM ${name(applications.tableName)} a LEFT JOIN ${name(endpoints.tableName)} e ON e.${name('appId')} = a.${name('id')} AND e.${name('disabled')} = 0 WHERE`,
  );
  const wanted = [...new Set(idsOrUids)];
  const list = wanted.map(() => '?').join(', ');
  const rows = (await dataSource.query(`${select} a.${name('id')} IN (${list}) OR a.${name('uid')} IN (${list})`, [...wanted, ...wanted])) as Record<string, unknown>[];
  // Each application's endpoints hydrated once, however many of the batch's messages go to it.
  const found = new Map<string, { id: string; uid: string | null; subscribers: Subscribers }>();
  for (const row of rows) {
    const appId = row.a_id as string;
    let application = found.get(appId);
    if (!application) found.set(appId, (application = { id: appId, uid: row.a_uid as string | null, subscribers: { appId, endpoints: [] } }));
    const endpoint = hydrate<Subscriber>(dataSource, endpoints, row, 'e', SUBSCRIBER);
    if (endpoint) application.subscribers.endpoints.push(endpoint);
  }
  const applications = [...found.values()];
  return idsOrUids.map((idOrUid) => idFirst(applications, idOrUid, 'uid')?.subscribers ?? null);
}

/** An endpoint as a delivery is sent to it, with its application. */
export interface DeliveryTarget {
  endpoint: EndpointEntity;
  application: ApplicationEntity;
}

const TARGETS_SQL = new WeakMap<DataSource, string>();

/**
 * For each endpoint id, the whole endpoint and application rows, or null when the endpoint is gone: what
 * a delivery written claimed is sent from (see DeliveryQueue.reserveLocal). Read for those endpoints only,
 * not in the lookup above: whole rows of an application's thousand endpoints cost several times the lean ones.
 */
export async function findDeliveryTargets(dataSource: DataSource, endpointIds: readonly string[]): Promise<(DeliveryTarget | null)[]> {
  const { applications, endpoints, select } = statement(
    TARGETS_SQL,
    dataSource,
    ({ applications, endpoints, name }) =>
      `SELECT ${selectColumns(dataSource, applications, 'a')}, ${selectColumns(dataSource, endpoints, 'e')} ` +
      `FROM ${name(endpoints.tableName)} e JOIN ${name(applications.tableName)} a ON a.${name('id')} = e.${name('appId')} WHERE e.${name('id')} IN`,
  );
  const wanted = [...new Set(endpointIds)];
  const rows = (await dataSource.query(`${select} (${wanted.map(() => '?').join(', ')})`, wanted)) as Record<string, unknown>[];
  const found = new Map(
    rows.map((row) => [row.e_id as string, { endpoint: hydrate<EndpointEntity>(dataSource, endpoints, row, 'e')!, application: hydrate<ApplicationEntity>(dataSource, applications, row, 'a')! }]),
  );
  return endpointIds.map((id) => found.get(id) ?? null);
}

/** Writes messages and their deliveries with the writer (in its transaction, if it has one). */
export async function insertPublications(writer: EntityManager, publications: readonly Publication[]): Promise<void> {
  // Plain INSERTs: TypeORM's insert builder costs more CPU than the database does for the same rows.
  await insertRows(writer, writer.connection.getMetadata(MessageEntity), publications.map((publication) => publication.message));
  const deliveries = publications.flatMap((publication) => publication.deliveries);
  if (deliveries.length > 0) await insertRows(writer, writer.connection.getMetadata(DeliveryEntity), deliveries);
}
