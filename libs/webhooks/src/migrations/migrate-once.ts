import { createHash } from 'node:crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';

/** How long a process waits for another's migrations: an upgrade's backfill can take minutes on a big database. */
const LOCK_WAIT_SECONDS = 1_800;

/**
 * Opens a DataSource and, if its options ask for `migrationsRun`, applies the pending migrations under a
 * server-wide named lock (GET_LOCK), so that processes starting together (replicas, the dispatcher's
 * HOMING_PROCESSES) migrate one after the other: TypeORM's own `migrationsRun` takes no lock, and two
 * processes would both apply the same migration. Given to TypeOrmModule as its `dataSourceFactory`.
 */
export async function openMigrated(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource({ ...options, migrationsRun: false });
  await dataSource.initialize();
  if (!options.migrationsRun) return dataSource;
  try {
    await migrateLocked(dataSource);
    return dataSource;
  } catch (error) {
    // Nest retries the factory: a half-opened pool would be left behind.
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
}

async function migrateLocked(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const [{ database }] = (await runner.query('SELECT DATABASE() AS `database`')) as { database: string }[];
  // Lock names are at most 64 characters: the database and the migrations table, hashed.
  const lock = `homing-migrations-${createHash('sha1').update(`${database}\0${dataSource.options.migrationsTableName ?? 'migrations'}`).digest('hex')}`;
  try {
    const [{ got }] = (await runner.query('SELECT GET_LOCK(?, ?) AS got', [lock, LOCK_WAIT_SECONDS])) as { got: number | string | null }[];
    if (Number(got) !== 1) {
      throw new Error(`another process has been migrating database "${database}" for ${LOCK_WAIT_SECONDS} s; start again once it has finished (or ended)`);
    }
    try {
      await dataSource.runMigrations({ transaction: dataSource.options.migrationsTransactionMode ?? 'all' });
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lock]);
    }
  } finally {
    await runner.release();
  }
}
