import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The throttle slot a postponed delivery holds: the row is the schedule, so whichever job wakes it
 * (its own, or the sweeper's once it comes due) sends it in that slot instead of taking a new one.
 */
export class AddDeliveryThrottleSlot1765500000000 implements MigrationInterface {
  name = 'AddDeliveryThrottleSlot1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_deliveries` ADD `throttleSlotAt` datetime(3) NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_deliveries` DROP COLUMN `throttleSlotAt`');
  }
}
