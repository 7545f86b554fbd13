function errorCode(error: unknown): string | undefined {
  const candidate = error as { code?: string; driverError?: { code?: string } } | undefined;
  return candidate?.driverError?.code ?? candidate?.code;
}

/** Whether a write failed on a unique key (MySQL/MariaDB ER_DUP_ENTRY). */
export function isDuplicateKey(error: unknown): boolean {
  return errorCode(error) === 'ER_DUP_ENTRY';
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_SERVER_GONE_ERROR',
]);

/** Whether an error means the database cannot be reached right now (as opposed to a bad query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = errorCode(error);
  if (code && UNREACHABLE.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /connect ECONNREFUSED|Connection lost|Pool is closed|closed state|Can't add new command when connection is in closed state/i.test(message);
}
