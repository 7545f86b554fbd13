import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An application's attempts by time: the statistics count them per period and status (and join their
 * messages for the event type) from this index alone, a range within the window asked for.
 */
export class AddAttemptStatisticsIndex1765200000000 implements MigrationInterface {
  name = 'AddAttemptStatisticsIndex1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_attempts` ADD INDEX `IDX_homing_attempts_app_created` (`appId`, `createdAt`, `status`, `msgId`)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_attempts` DROP INDEX `IDX_homing_attempts_app_created`');
  }
}
