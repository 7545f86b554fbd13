import { createConnection } from 'mysql2/promise';

/** Creates the database named in `databaseUrl` if it does not exist yet (first start). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_$-]{1,64}$/.test(name)) throw new Error(`DATABASE_URL must name a database (letters, digits, _ $ -), got "${name}"`);
  url.pathname = '/';
  const connection = await createConnection(url.toString());
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}
