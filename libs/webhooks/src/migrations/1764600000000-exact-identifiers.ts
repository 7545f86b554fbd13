import type { MigrationInterface, QueryRunner } from 'typeorm';
import { exactCollation } from './exact-collation.js';

const TABLES = [
  'applications',
  'event_types',
  'endpoints',
  'messages',
  'deliveries',
  'attempts',
  // Moved to the dispatcher, whose own migrations create them exact: converted here where a database made before has them.
  'portal_tokens',
  'idempotency_records',
  'background_tasks',
];

/**
 * Every text column of Homing's tables compares byte for byte (see exactCollation): ids, uids, eventIds,
 * event-type names, channels and tags are exact, and trailing spaces count. Under the former
 * utf8mb4_unicode_ci, `ACME` found the application `acme` in SQL while the code compared exactly.
 * The old unique indexes could not hold two values equal but for case or trailing spaces, so
 * converting cannot collide; each table is rebuilt (a copy, blocking writes to it meanwhile).
 */
export class ExactIdentifiers1764600000000 implements MigrationInterface {
  name = 'ExactIdentifiers1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const collation = await exactCollation(queryRunner);
    for (const table of await present(queryRunner)) {
      await queryRunner.query(`ALTER TABLE \`homing_${table}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE ${collation}`);
    }
  }

  /** Fails with a duplicate key if rows now differ only by case or trailing spaces: rename those first. */
  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of await present(queryRunner)) {
      await queryRunner.query(`ALTER TABLE \`homing_${table}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    }
  }
}

async function present(queryRunner: QueryRunner): Promise<string[]> {
  const found: string[] = [];
  for (const table of TABLES) if (await queryRunner.hasTable(`homing_${table}`)) found.push(table);
  return found;
}
