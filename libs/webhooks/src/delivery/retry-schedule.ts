/** Jitter spreads retries of a burst of failures so they do not all return at once. */
const JITTER = 0.1;

/**
 * The delay before the next attempt after `step` failed attempts of a run of the schedule
 * (the first attempt is immediate), or null when the schedule is used up.
 */
export function nextRetryDelay(schedule: readonly number[], step: number, random = Math.random): number | null {
  if (step < 1 || step > schedule.length) return null;
  const base = schedule[step - 1];
  return Math.round(base * (1 + (random() * 2 - 1) * JITTER));
}
