import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the Svix-compatible HTTP API needs beyond the core schema: secret rotation, delayed and
 * tagged messages, event-type groups, indexes for paging. It also created the tables of portal
 * tokens, idempotency records and background tasks until the dispatcher took them into its own
 * migrations: a database made before keeps them with their rows (reverting this leaves them too),
 * a new one gets them only from a dispatcher.
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_attempts` DROP INDEX `IDX_homing_attempts_endpoint_id`');
    await queryRunner.query('ALTER TABLE `homing_deliveries` DROP INDEX `IDX_homing_deliveries_endpoint_msg`');
    await queryRunner.query('ALTER TABLE `homing_event_types` DROP COLUMN `groupName`, DROP COLUMN `featureFlags`');
    await queryRunner.query('ALTER TABLE `homing_messages` DROP INDEX `IDX_homing_messages_app_id`, DROP COLUMN `deliverAt`, DROP COLUMN `tags`');
    await queryRunner.query('ALTER TABLE `homing_endpoints` DROP COLUMN `previousSecrets`');
  }
}
