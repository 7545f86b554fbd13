/**
 * The one rule for a path segment that may be an id or the caller's own key (application or endpoint
 * uid, message eventId): of the rows found by either, an id wins over another row's equal key, as in
 * Svix. Compared byte for byte here as in SQL (Homing's columns are binary since migration 1764600000000).
 */
export function idFirst<T extends { id: string }, K extends keyof T>(rows: readonly T[], idOrKey: string, key: K): T | undefined {
  return rows.find((row) => row.id === idOrKey) ?? rows.find((row) => row[key] === idOrKey);
}
