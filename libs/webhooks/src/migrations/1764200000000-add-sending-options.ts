import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Provider options: signature scheme and envelope per application (scheme also per endpoint), the
 * sender's correlation id, and payload retention (messages stored before this keep theirs 90 days).
 */
export class AddSendingOptions1764200000000 implements MigrationInterface {
  name = 'AddSendingOptions1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `homing_applications` ADD `signatureScheme` json NULL, ADD `envelope` tinyint NOT NULL DEFAULT 0, ADD `developerId` varchar(256) NULL',
    );
    await queryRunner.query('ALTER TABLE `homing_endpoints` ADD `signatureScheme` json NULL');
    await queryRunner.query(
      'ALTER TABLE `homing_messages` ADD `requestId` varchar(256) NULL, ADD `payloadExpiresAt` datetime(3) NULL, ADD `payloadPurgedAt` datetime(3) NULL, ADD INDEX `IDX_homing_messages_payload_expires` (`payloadExpiresAt`)',
    );
    await queryRunner.query('UPDATE `homing_messages` SET `payloadExpiresAt` = DATE_ADD(`createdAt`, INTERVAL 90 DAY)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `homing_messages` DROP INDEX `IDX_homing_messages_payload_expires`, DROP COLUMN `payloadPurgedAt`, DROP COLUMN `payloadExpiresAt`, DROP COLUMN `requestId`',
    );
    await queryRunner.query('ALTER TABLE `homing_endpoints` DROP COLUMN `signatureScheme`');
    await queryRunner.query('ALTER TABLE `homing_applications` DROP COLUMN `developerId`, DROP COLUMN `envelope`, DROP COLUMN `signatureScheme`');
  }
}
