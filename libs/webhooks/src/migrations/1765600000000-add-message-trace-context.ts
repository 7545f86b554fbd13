import type { MigrationInterface, QueryRunner } from 'typeorm';
import { exactCollation } from './exact-collation.js';

/** The OpenTelemetry context a message was created in, so that its deliveries continue that trace. */
export class AddMessageTraceContext1765600000000 implements MigrationInterface {
  name = 'AddMessageTraceContext1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A json column takes utf8mb4_bin unless told otherwise.
    await queryRunner.query(`ALTER TABLE \`homing_messages\` ADD \`traceContext\` json COLLATE ${await exactCollation(queryRunner)} NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `homing_messages` DROP COLUMN `traceContext`');
  }
}
