import type { MigrationInterface, QueryRunner } from 'typeorm';
import { exactCollation } from './exact-collation.js';

/** An endpoint's transformation: its code, whether it runs, its variables and when it changed, as one JSON value. */
export class AddEndpointTransformation1765700000000 implements MigrationInterface {
  name = 'AddEndpointTransformation1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A json column takes utf8mb4_bin unless told otherwise.
    await queryRunner.query(`ALTER TABLE \`homing_endpoints\` ADD \`transformation\` json COLLATE ${await exactCollation(queryRunner)} NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_endpoints` DROP COLUMN `transformation`');
  }
}
