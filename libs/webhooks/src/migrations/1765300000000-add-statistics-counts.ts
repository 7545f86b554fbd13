import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Placeholder: the statistics aggregates (issue 17) land here. */
export class AddStatisticsCounts1765300000000 implements MigrationInterface {
  name = 'AddStatisticsCounts1765300000000';

  async up(_queryRunner: QueryRunner): Promise<void> {}

  async down(_queryRunner: QueryRunner): Promise<void> {}
}
