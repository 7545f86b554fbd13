const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses `250ms`, `5s`, `30m`, `2h`, `5d` (or a bare number of ms) into milliseconds. */
export function parseDuration(value: string | number, what = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`${what}: expected a non-negative number of ms, got ${value}`);
    return value;
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const match = DURATION.exec(text);
  if (!match) throw new Error(`${what}: "${value}" is not a duration (use a number with ms, s, m, h or d, e.g. 5s)`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

/** Parses a comma-separated list of durations such as `5s,5m,30m`. */
export function parseDurationList(value: string | readonly (string | number)[], what = 'schedule'): number[] {
  const items = typeof value === 'string' ? value.split(',').filter((part) => part.trim() !== '') : value;
  return items.map((item) => parseDuration(item, what));
}
