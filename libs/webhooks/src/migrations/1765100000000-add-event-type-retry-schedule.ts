import type { MigrationInterface, QueryRunner } from 'typeorm';
import { exactCollation } from './exact-collation.js';

/** An event type's own retry schedule (Svix's per-type schedule): delays in ms, null for the dispatcher's. */
export class AddEventTypeRetrySchedule1765100000000 implements MigrationInterface {
  name = 'AddEventTypeRetrySchedule1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_event_types` ADD `retrySchedule` json NULL');
    // MariaDB gives a json column utf8mb4_bin whatever the table's collation; converting (the catalogue is small) makes it exact like the rest.
    await queryRunner.query(`ALTER TABLE \`homing_event_types\` CONVERT TO CHARACTER SET utf8mb4 COLLATE ${await exactCollation(queryRunner)}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_event_types` DROP COLUMN `retrySchedule`');
  }
}
