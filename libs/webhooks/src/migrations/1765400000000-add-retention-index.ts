import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Row retention deletes messages whose payload is purged (payloadExpiresAt null) and that are older
 * than the retention, oldest first: a range on (payloadExpiresAt, createdAt). Messages still holding
 * their payload sort after the nulls, so a long payload retention costs the scan nothing. The payload
 * purge's `payloadExpiresAt <= now` range uses the same index, which replaces the one on payloadExpiresAt alone.
 */
export class AddRetentionIndex1765400000000 implements MigrationInterface {
  name = 'AddRetentionIndex1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `homing_messages` ADD INDEX `IDX_homing_messages_payload_expires_created` (`payloadExpiresAt`, `createdAt`), DROP INDEX `IDX_homing_messages_payload_expires`',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `homing_messages` ADD INDEX `IDX_homing_messages_payload_expires` (`payloadExpiresAt`), DROP INDEX `IDX_homing_messages_payload_expires_created`',
    );
  }
}
