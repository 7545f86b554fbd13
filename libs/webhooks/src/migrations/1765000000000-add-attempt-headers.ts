import type { MigrationInterface, QueryRunner } from 'typeorm';
import { exactCollation } from './exact-collation.js';

/** The headers an attempt sent (secrets masked) and the ones its response carried. */
export class AddAttemptHeaders1765000000000 implements MigrationInterface {
  name = 'AddAttemptHeaders1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A json column takes utf8mb4_bin unless told otherwise.
    await queryRunner.query(`ALTER TABLE \`homing_attempts\` ADD \`headers\` json COLLATE ${await exactCollation(queryRunner)} NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_attempts` DROP COLUMN `headers`');
  }
}
