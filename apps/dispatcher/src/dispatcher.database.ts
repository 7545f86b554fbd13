import type { DynamicModule } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { WEBHOOKS_DATA_SOURCE } from '@homing/webhooks';
import { openMigrated } from '@homing/webhooks/internal';
import { DISPATCHER_ENTITIES } from './entities/index.js';
import { DISPATCHER_MIGRATIONS } from './migrations/index.js';

export const DISPATCHER_DATA_SOURCE_NAME = 'homing-dispatcher';

/** The dispatcher's own DataSource: portal tokens, idempotency records and background tasks. */
export const InjectDispatcherDataSource = (): ParameterDecorator => InjectDataSource(DISPATCHER_DATA_SOURCE_NAME);

/**
 * The dispatcher's tables on the library's database, with migrations of their own recorded in their
 * own table, so that a host of the library gets none of them. Opened once the library's DataSource
 * is (that one creates the database if missing and applies the library's migrations first).
 */
export function dispatcherDatabase(url: string): DynamicModule {
  return TypeOrmModule.forRootAsync({
    name: DISPATCHER_DATA_SOURCE_NAME,
    inject: [WEBHOOKS_DATA_SOURCE],
    useFactory: () => ({
      type: 'mysql',
      url,
      entities: DISPATCHER_ENTITIES,
      migrations: DISPATCHER_MIGRATIONS,
      migrationsTableName: 'homing_dispatcher_migrations',
      migrationsRun: true,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      retryAttempts: 3,
      retryDelay: 1000,
    }),
    dataSourceFactory: (options) => openMigrated(options!),
  });
}
