import { Logger } from '@nestjs/common';
import { createConnection, type ConnectionOptions } from 'mysql2/promise';
import type { WebhooksDatabaseOptions } from '../config/webhooks-options.interface.js';

const DATABASE_NAME = /^[A-Za-z0-9_$-]{1,64}$/;
const ACCESS_DENIED = new Set(['ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR']);

/**
 * Creates the database the options name if it does not exist yet (a first start), as the dispatcher
 * does; when the user may not create it, fails with one line saying what to create.
 */
export async function ensureDatabase(options: WebhooksDatabaseOptions): Promise<void> {
  const { server, name } = splitDatabase(options);
  if (name === undefined) return;
  if (!DATABASE_NAME.test(name)) throw new Error(`the database name must be letters, digits, _ $ or - (at most 64), got "${name}"`);
  const connection = await createConnection(server);
  try {
    const [found] = await connection.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    if ((found as unknown[]).length > 0) return;
    try {
      await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4`);
    } catch (error) {
      if (!ACCESS_DENIED.has((error as { code?: string }).code ?? '')) throw error;
      throw new Error(`database "${name}" does not exist and this user may not create it: run CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4, or grant the user CREATE`);
    }
    new Logger('WebhooksModule').log(`created database "${name}" (it did not exist)`);
  } finally {
    await connection.end();
  }
}

/** The connection to the server alone, and the database the options name (from `database`, else the URL's path). */
function splitDatabase(options: WebhooksDatabaseOptions): { server: ConnectionOptions; name: string | undefined } {
  const { host, port, username, password } = options;
  if (options.url) {
    const url = new URL(options.url);
    const name = decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
    url.pathname = '/';
    return { server: { uri: url.toString() }, name: options.database ?? name };
  }
  return { server: { host, port, user: username, password }, name: options.database };
}
