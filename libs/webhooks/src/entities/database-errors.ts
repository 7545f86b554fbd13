function errorCode(error: unknown): string | undefined {
  const candidate = error as { code?: string; driverError?: { code?: string } } | undefined;
  return candidate?.driverError?.code ?? candidate?.code;
}

/** Whether a write failed on a unique key (MySQL/MariaDB ER_DUP_ENTRY). */
export function isDuplicateKey(error: unknown): boolean {
  return errorCode(error) === 'ER_DUP_ENTRY';
}

/** Whether a transaction was chosen as a deadlock victim (ER_LOCK_DEADLOCK); it can simply run again. */
export function isDeadlock(error: unknown): boolean {
  return errorCode(error) === 'ER_LOCK_DEADLOCK';
}

/** Runs a short transaction, again (up to twice more) if the database picked it as a deadlock victim. */
export async function retryingDeadlocks<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 3 || !isDeadlock(error)) throw error;
    }
  }
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
