import type { QueryRunner } from 'typeorm';

/**
 * The collation under which text compares byte for byte, trailing spaces included: MariaDB's
 * utf8mb4_nopad_bin or MySQL 8's utf8mb4_0900_bin (utf8mb4_bin pads, so `acme ` would equal `acme`).
 * Tables a migration creates use it too.
 */
export async function exactCollation(queryRunner: QueryRunner): Promise<string> {
  const rows: { name: string }[] = await queryRunner.query(
    "SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
  );
  const name = ['utf8mb4_nopad_bin', 'utf8mb4_0900_bin'].find((candidate) => rows.some((row) => row.name === candidate));
  if (!name) throw new Error('the database offers neither utf8mb4_nopad_bin (MariaDB 10.2+) nor utf8mb4_0900_bin (MySQL 8+): Homing needs one of them');
  return name;
}
