import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Placeholder: row retention's index (issue 17) lands here. */
export class AddRetentionIndex1765400000000 implements MigrationInterface {
  name = 'AddRetentionIndex1765400000000';

  async up(_queryRunner: QueryRunner): Promise<void> {}

  async down(_queryRunner: QueryRunner): Promise<void> {}
}
