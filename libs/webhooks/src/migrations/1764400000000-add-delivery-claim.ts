import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The claim id of a delivery row: a worker claims rows with one UPDATE and reads back the ones it took. */
export class AddDeliveryClaim1764400000000 implements MigrationInterface {
  name = 'AddDeliveryClaim1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_deliveries` ADD `claimId` varchar(32) NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_deliveries` DROP COLUMN `claimId`');
  }
}
