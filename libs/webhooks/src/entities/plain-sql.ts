import type { DataSource, EntityMetadata } from 'typeorm';

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
  if (row[`${alias}_${metadata.primaryColumns[0].databaseName}`] === null) return null;
  const entity = metadata.create() as Record<string, unknown>;
  for (const column of columnsOf(metadata, properties)) {
    entity[column.propertyName] = dataSource.driver.prepareHydratedValue(row[`${alias}_${column.databaseName}`], column);
  }
  return entity as T;
}

function columnsOf(metadata: EntityMetadata, properties?: readonly string[]) {
  return properties ? properties.map((property) => metadata.findColumnWithPropertyName(property)!) : metadata.columns;
}
