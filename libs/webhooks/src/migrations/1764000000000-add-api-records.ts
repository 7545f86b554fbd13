import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/**
 * What the Svix-compatible HTTP API needs beyond the core schema: secret rotation, delayed and
 * tagged messages, event-type groups, indexes for paging, portal tokens, idempotency records and
 * background tasks.
 */
export class AddApiRecords1764000000000 implements MigrationInterface {
  name = 'AddApiRecords1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_endpoints` ADD `previousSecrets` json NULL');
    await queryRunner.query(
      'ALTER TABLE `homing_messages` ADD `tags` json NULL, ADD `deliverAt` datetime(3) NULL, ADD INDEX `IDX_homing_messages_app_id` (`appId`, `id`)',
    );
    await queryRunner.query('ALTER TABLE `homing_event_types` ADD `featureFlags` json NULL, ADD `groupName` varchar(256) NULL');
    await queryRunner.query('ALTER TABLE `homing_deliveries` ADD INDEX `IDX_homing_deliveries_endpoint_msg` (`endpointId`, `msgId`)');
    await queryRunner.query('ALTER TABLE `homing_attempts` ADD INDEX `IDX_homing_attempts_endpoint_id` (`endpointId`, `id`)');
    await queryRunner.query(
      'CREATE TABLE `homing_portal_tokens` (`id` varchar(40) NOT NULL, `appId` varchar(40) NOT NULL, `tokenHash` char(64) NOT NULL, `capabilities` json NOT NULL, `sessionId` varchar(256) NULL, `createdAt` datetime(3) NOT NULL, `expiresAt` datetime(3) NOT NULL, UNIQUE INDEX `IDX_homing_portal_tokens_hash` (`tokenHash`), INDEX `IDX_homing_portal_tokens_app` (`appId`, `expiresAt`), PRIMARY KEY (`id`)) ' +
        TABLE_OPTIONS,
    );
    await queryRunner.query(
      'CREATE TABLE `homing_idempotency_records` (`id` char(64) NOT NULL, `requestHash` char(64) NOT NULL, `state` varchar(16) NOT NULL, `statusCode` int NULL, `body` longtext NULL, `createdAt` datetime(3) NOT NULL, `expiresAt` datetime(3) NOT NULL, INDEX `IDX_homing_idempotency_records_expires` (`expiresAt`), PRIMARY KEY (`id`)) ' +
        TABLE_OPTIONS,
    );
    await queryRunner.query(
      'CREATE TABLE `homing_background_tasks` (`id` varchar(40) NOT NULL, `appId` varchar(40) NULL, `task` varchar(64) NOT NULL, `status` varchar(16) NOT NULL, `data` json NOT NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `IDX_homing_background_tasks_app` (`appId`, `id`), PRIMARY KEY (`id`)) ' +
        TABLE_OPTIONS,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['background_tasks', 'idempotency_records', 'portal_tokens']) {
      await queryRunner.query(`DROP TABLE \`homing_${table}\``);
    }
    await queryRunner.query('ALTER TABLE `homing_attempts` DROP INDEX `IDX_homing_attempts_endpoint_id`');
    await queryRunner.query('ALTER TABLE `homing_deliveries` DROP INDEX `IDX_homing_deliveries_endpoint_msg`');
    await queryRunner.query('ALTER TABLE `homing_event_types` DROP COLUMN `groupName`, DROP COLUMN `featureFlags`');
    await queryRunner.query('ALTER TABLE `homing_messages` DROP INDEX `IDX_homing_messages_app_id`, DROP COLUMN `deliverAt`, DROP COLUMN `tags`');
    await queryRunner.query('ALTER TABLE `homing_endpoints` DROP COLUMN `previousSecrets`');
  }
}
