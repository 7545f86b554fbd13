import type { DataSource, EntityManager, EntityMetadata } from 'typeorm';

/**
 * For the few hot statements written as SQL instead of through a query builder: the columns of an
 * entity selected under `alias` (as `alias_column`), and such a row turned back into the entity with
 * the driver's own conversions (JSON, dates, booleans), as TypeORM's reads do.
 */
export function selectColumns(dataSource: DataSource, metadata: EntityMetadata, alias: string, properties?: readonly string[]): string {
  const { driver } = dataSource;
  return columnsOf(metadata, properties)
    .map((column) => `${alias}.${driver.escape(column.databaseName)} AS ${driver.escape(`${alias}_${column.databaseName}`)}`)
    .join(', ');
}

/** The entity under `alias` in a (joined) row, or null when the row had none (its primary key is null). */
export function hydrate<T>(dataSource: DataSource, metadata: EntityMetadata, row: Record<string, unknown>, alias: string, properties?: readonly string[]): T | null {
  const { primaryKey, fields } = readPlan(metadata, alias, properties);
  if (row[primaryKey] === null) return null;
  const entity = metadata.create() as Record<string, unknown>;
  for (const { property, key, column } of fields) entity[property] = dataSource.driver.prepareHydratedValue(row[key], column);
  return entity as T;
}

/** Where each property of an entity read under an alias is in a row: its `alias_column` key, made once, not per row. */
interface ReadPlan {
  primaryKey: string;
  fields: { property: string; key: string; column: EntityMetadata['columns'][number] }[];
}

const readPlans = new WeakMap<EntityMetadata, Map<string, ReadPlan>>();

function readPlan(metadata: EntityMetadata, alias: string, properties?: readonly string[]): ReadPlan {
  let plans = readPlans.get(metadata);
  if (!plans) readPlans.set(metadata, (plans = new Map()));
  const name = properties ? `${alias}:${properties.join(',')}` : alias;
  let plan = plans.get(name);
  if (!plan) {
    const fields = columnsOf(metadata, properties).map((column) => ({ property: column.propertyName, key: `${alias}_${column.databaseName}`, column }));
    plans.set(name, (plan = { primaryKey: `${alias}_${metadata.primaryColumns[0].databaseName}`, fields }));
  }
  return plan;
}

/** One INSERT of whole entities, their values converted as TypeORM's own inserts convert them. */
export async function insertRows(writer: EntityManager, metadata: EntityMetadata, rows: readonly object[]): Promise<void> {
  const { driver } = writer.connection;
  const { columns } = metadata;
  const values = `(${columns.map(() => '?').join(', ')})`;
  const sql = `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) VALUES ${rows.map(() => values).join(', ')}`;
  await writer.query(
    sql,
    rows.flatMap((row) => columns.map((column) => driver.preparePersistentValue((row as Record<string, unknown>)[column.propertyName], column))),
  );
}

function columnsOf(metadata: EntityMetadata, properties?: readonly string[]) {
  return properties ? properties.map((property) => metadata.findColumnWithPropertyName(property)!) : metadata.columns;
}
