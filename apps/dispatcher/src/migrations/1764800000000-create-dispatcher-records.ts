import type { MigrationInterface, QueryRunner } from 'typeorm';
import { exactCollation } from '@homing/webhooks/internal';

/** The library's migration 1764000000000 created these on databases made before the dispatcher had migrations of its own. */
const TABLES: Record<string, string> = {
  homing_portal_tokens:
    '`id` varchar(40) NOT NULL, `appId` varchar(40) NOT NULL, `tokenHash` char(64) NOT NULL, `capabilities` json NOT NULL, `sessionId` varchar(256) NULL, `createdAt` datetime(3) NOT NULL, `expiresAt` datetime(3) NOT NULL, UNIQUE INDEX `IDX_homing_portal_tokens_hash` (`tokenHash`), INDEX `IDX_homing_portal_tokens_app` (`appId`, `expiresAt`), PRIMARY KEY (`id`)',
  homing_idempotency_records:
    '`id` char(64) NOT NULL, `requestHash` char(64) NOT NULL, `state` varchar(16) NOT NULL, `statusCode` int NULL, `body` longtext NULL, `createdAt` datetime(3) NOT NULL, `expiresAt` datetime(3) NOT NULL, INDEX `IDX_homing_idempotency_records_expires` (`expiresAt`), PRIMARY KEY (`id`)',
  homing_background_tasks:
    '`id` varchar(40) NOT NULL, `appId` varchar(40) NULL, `task` varchar(64) NOT NULL, `status` varchar(16) NOT NULL, `data` json NOT NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `IDX_homing_background_tasks_app` (`appId`, `id`), PRIMARY KEY (`id`)',
};

/**
 * Portal tokens, idempotency records and background tasks: created where missing, as they were
 * when the library made them and converted them to exact identifiers. A table already there (with
 * its rows) is left as it is.
 */
export class CreateDispatcherRecords1764800000000 implements MigrationInterface {
  name = 'CreateDispatcherRecords1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const collation = await exactCollation(queryRunner);
    for (const [table, definition] of Object.entries(TABLES)) {
      if (await queryRunner.hasTable(table)) continue;
      await queryRunner.query(`CREATE TABLE \`${table}\` (${definition}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`);
      // MariaDB gives json columns utf8mb4_bin whatever the table's default; converting (an empty table) makes them exact as well.
      await queryRunner.query(`ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE ${collation}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of Object.keys(TABLES).reverse()) await queryRunner.query(`DROP TABLE \`${table}\``);
  }
}
