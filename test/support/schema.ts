import type { DataSource } from 'typeorm';
import { expect } from 'vitest';

/**
 * The tables of the DataSource's entities hold the columns, nullability and indexes the entities describe.
 * Compared through information_schema: TypeORM's own diff reports false changes on MariaDB (json is longtext there).
 */
export async function expectTablesOfEntities(dataSource: DataSource): Promise<void> {
  for (const entity of dataSource.entityMetadatas) {
    const columns: { name: string; nullable: string }[] = await dataSource.query(
      'SELECT COLUMN_NAME AS name, IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
      [entity.tableName],
    );
    expect(Object.fromEntries(columns.map((c) => [c.name, c.nullable === 'YES'])), entity.tableName).toEqual(
      Object.fromEntries(entity.columns.map((c) => [c.databaseName, c.isNullable])),
    );
    const indexes: { name: string }[] = await dataSource.query(
      "SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY'",
      [entity.tableName],
    );
    expect(indexes.map((i) => i.name).sort(), entity.tableName).toEqual(entity.indices.map((i) => i.name).sort());
  }
}

/** Every table of the DataSource's database. */
export async function tablesOf(dataSource: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await dataSource.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
  return rows.map((row) => row.name).sort();
}

/** The collation of every text column of the database's tables, with the table's name. */
export async function textCollations(dataSource: DataSource): Promise<{ table: string; column: string; collation: string }[]> {
  return dataSource.query(
    'SELECT TABLE_NAME AS `table`, COLUMN_NAME AS `column`, COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLLATION_NAME IS NOT NULL',
  );
}
