import type { MigrationInterface, QueryRunner } from 'typeorm';
import { exactCollation } from './exact-collation.js';

/** A message's media type, for payloads that are not JSON; null (every message before) means application/json. */
export class AddMessageContentType1764900000000 implements MigrationInterface {
  name = 'AddMessageContentType1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const collation = await exactCollation(queryRunner);
    await queryRunner.query(`ALTER TABLE \`homing_messages\` ADD \`contentType\` varchar(255) CHARACTER SET utf8mb4 COLLATE ${collation} NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_messages` DROP COLUMN `contentType`');
  }
}
