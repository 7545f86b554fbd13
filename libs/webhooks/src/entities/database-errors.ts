/** Whether a write failed on a unique key (MySQL/MariaDB ER_DUP_ENTRY). */
export function isDuplicateKey(error: unknown): boolean {
  const candidate = error as { code?: string; driverError?: { code?: string } };
  return candidate?.code === 'ER_DUP_ENTRY' || candidate?.driverError?.code === 'ER_DUP_ENTRY';
}
