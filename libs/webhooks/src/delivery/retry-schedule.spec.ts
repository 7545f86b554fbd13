import { describe, expect, it } from 'vitest';
import { parseDurationList } from '../config/duration.js';
import { DEFAULT_RETRY_SCHEDULE } from '../webhooks.constants.js';
import { nextRetryDelay } from './retry-schedule.js';
import { parseRetryAfter } from './webhook-http.client.js';

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

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and ignores anything else', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
