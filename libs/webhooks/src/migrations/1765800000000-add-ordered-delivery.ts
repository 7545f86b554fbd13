import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ordered (FIFO) delivery per endpoint: the endpoint's `ordering`, its line's counters, and each
 * delivery's place in its endpoint's line. The deliveries' index walks a line in order (rows of unordered
 * endpoints carry no place, and neither column of it changes after the insert); the endpoints' one finds
 * the ordered endpoints for the sweeper.
 */
export class AddOrderedDelivery1765800000000 implements MigrationInterface {
  name = 'AddOrderedDelivery1765800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `homing_endpoints` ADD `ordering` varchar(8) NULL, ADD `lineSeq` bigint NOT NULL DEFAULT 0, ADD `lineHead` bigint NOT NULL DEFAULT 0, ' +
        'ADD INDEX `IDX_homing_endpoints_ordering` (`ordering`)',
    );
    await queryRunner.query('ALTER TABLE `homing_deliveries` ADD `seq` bigint NULL');
    await queryRunner.query('ALTER TABLE `homing_deliveries` ADD INDEX `IDX_homing_deliveries_endpoint_seq` (`endpointId`, `seq`)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_deliveries` DROP INDEX `IDX_homing_deliveries_endpoint_seq`, DROP COLUMN `seq`');
    await queryRunner.query('ALTER TABLE `homing_endpoints` DROP INDEX `IDX_homing_endpoints_ordering`, DROP COLUMN `ordering`, DROP COLUMN `lineSeq`, DROP COLUMN `lineHead`');
  }
}
