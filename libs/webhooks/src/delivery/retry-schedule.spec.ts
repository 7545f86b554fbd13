import { describe, expect, it } from 'vitest';
import { parseDurationList } from '../config/duration.js';
import { DEFAULT_RETRY_SCHEDULE } from '../webhooks.constants.js';
import { nextRetryDelay } from './retry-schedule.js';

describe('nextRetryDelay', () => {
  const schedule = parseDurationList(DEFAULT_RETRY_SCHEDULE);

  it('follows the default schedule 5s, 5m, 30m, 2h, 5h, 10h, 10h, then gives up', () => {
    const noJitter = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((step) => nextRetryDelay(schedule, step, noJitter))).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(nextRetryDelay(schedule, 8, noJitter)).toBeNull();
  });

  it('keeps jitter within a tenth of the delay', () => {
    expect(nextRetryDelay(schedule, 1, () => 0)).toBe(4_500);
    expect(nextRetryDelay(schedule, 1, () => 0.999999)).toBe(5_500);
  });
});
