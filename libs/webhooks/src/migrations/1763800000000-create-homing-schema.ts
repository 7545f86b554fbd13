import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

export class CreateHomingSchema1763800000000 implements MigrationInterface {
  name = 'CreateHomingSchema1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE `homing_applications` (`id` varchar(40) NOT NULL, `uid` varchar(256) NULL, `name` varchar(256) NOT NULL, `metadata` json NULL, `rateLimit` int NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, UNIQUE INDEX `IDX_homing_applications_uid` (`uid`), PRIMARY KEY (`id`)) ' +
        TABLE_OPTIONS,
    );
    await queryRunner.query(
      'CREATE TABLE `homing_event_types` (`name` varchar(256) NOT NULL, `description` text NOT NULL, `schemas` json NULL, `archived` tinyint NOT NULL DEFAULT 0, `deprecated` tinyint NOT NULL DEFAULT 0, `featureFlag` varchar(256) NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, PRIMARY KEY (`name`)) ' +
        TABLE_OPTIONS,
    );
    await queryRunner.query(
      'CREATE TABLE `homing_endpoints` (`id` varchar(40) NOT NULL, `appId` varchar(40) NOT NULL, `uid` varchar(256) NULL, `url` text NOT NULL, `description` text NOT NULL, `filterTypes` json NULL, `channels` json NULL, `disabled` tinyint NOT NULL DEFAULT 0, `disabledReason` varchar(256) NULL, `secret` varchar(256) NOT NULL, `headers` json NULL, `metadata` json NULL, `rateLimit` int NULL, `failingSince` datetime(3) NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, UNIQUE INDEX `IDX_homing_endpoints_app_uid` (`appId`, `uid`), PRIMARY KEY (`id`)) ' +
        TABLE_OPTIONS,
    );
    await queryRunner.query(
      'CREATE TABLE `homing_messages` (`id` varchar(40) NOT NULL, `appId` varchar(40) NOT NULL, `eventType` varchar(256) NOT NULL, `eventId` varchar(256) NULL, `channels` json NULL, `payload` longtext NOT NULL, `createdAt` datetime(3) NOT NULL, INDEX `IDX_homing_messages_app_created` (`appId`, `createdAt`), UNIQUE INDEX `IDX_homing_messages_app_event_id` (`appId`, `eventId`), PRIMARY KEY (`id`)) ' +
        TABLE_OPTIONS,
    );
    await queryRunner.query(
      'CREATE TABLE `homing_deliveries` (`msgId` varchar(40) NOT NULL, `endpointId` varchar(40) NOT NULL, `appId` varchar(40) NOT NULL, `status` varchar(16) NOT NULL, `attempts` int NOT NULL DEFAULT 0, `scheduleStep` int NOT NULL DEFAULT 0, `trigger` varchar(16) NOT NULL, `nextAttemptAt` datetime(3) NULL, `leaseUntil` datetime(3) NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `IDX_homing_deliveries_endpoint_status` (`endpointId`, `status`, `updatedAt`), INDEX `IDX_homing_deliveries_due` (`status`, `nextAttemptAt`), PRIMARY KEY (`msgId`, `endpointId`)) ' +
        TABLE_OPTIONS,
    );
    await queryRunner.query(
      'CREATE TABLE `homing_attempts` (`id` varchar(40) NOT NULL, `msgId` varchar(40) NOT NULL, `endpointId` varchar(40) NOT NULL, `appId` varchar(40) NOT NULL, `url` text NOT NULL, `status` varchar(16) NOT NULL, `responseStatusCode` int NOT NULL, `response` mediumtext NOT NULL, `responseDurationMs` int NOT NULL, `trigger` varchar(16) NOT NULL, `createdAt` datetime(3) NOT NULL, INDEX `IDX_homing_attempts_endpoint` (`endpointId`, `createdAt`), INDEX `IDX_homing_attempts_msg` (`msgId`, `createdAt`), PRIMARY KEY (`id`)) ' +
        TABLE_OPTIONS,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['attempts', 'deliveries', 'messages', 'endpoints', 'event_types', 'applications']) {
      await queryRunner.query(`DROP TABLE \`homing_${table}\``);
    }
  }
}
