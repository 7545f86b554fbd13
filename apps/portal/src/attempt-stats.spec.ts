import { describe, expect, it } from 'vitest';
import { failingWords, hasDeliveries, inTime, periodsOf, successRate, totalOf, windowStart } from './attempt-stats.js';

const HOUR = 3_600_000;
const NONE = { success: 0, fail: 0, pending: 0, sending: 0, canceled: 0, failingSince: null, nextAttemptAt: null };

describe("an endpoint's attempt statistics", () => {
  it('starts a window at a whole hour, the current hour being its last', () => {
    const now = Date.parse('2026-11-30T14:25:00Z');
    expect(windowStart('day', now).toISOString()).toBe('2026-11-29T15:00:00.000Z');
    expect(windowStart('week', now).toISOString()).toBe('2026-11-23T15:00:00.000Z');
  });

  it('reads the series period by period, a missing count being 0', () => {
    const periods = periodsOf({ startDate: '2026-11-30T12:00:00Z', endDate: '2026-11-30T15:00:00Z', period: 'OneHour', data: { successCount: [1, 0, 4], failureCount: null, canceledCount: [0, 0, 0] } });
    expect(periods).toEqual([
      { start: new Date('2026-11-30T12:00:00Z'), success: 1, failure: 0 },
      { start: new Date(Date.parse('2026-11-30T12:00:00Z') + HOUR), success: 0, failure: 0 },
      { start: new Date(Date.parse('2026-11-30T12:00:00Z') + 2 * HOUR), success: 4, failure: 0 },
    ]);
    expect(totalOf(periods)).toEqual({ success: 5, failure: 0 });
  });

  it('gives the success rate of the attempts, none without any', () => {
    expect(successRate({ success: 3, failure: 1 })).toBe(75);
    expect(successRate({ success: 2, failure: 1 })).toBe(67);
    expect(successRate({ success: 0, failure: 0 })).toBeNull();
  });

  it('says an endpoint was sent something when any delivery exists, pending ones included', () => {
    expect(hasDeliveries(NONE)).toBe(false);
    expect(hasDeliveries({ ...NONE, pending: 2 })).toBe(true);
  });

  it('says in words since when an endpoint fails and when it is tried next', () => {
    // Noon, local time: five minutes ago is today.
    const now = new Date(2026, 10, 30, 12, 0).getTime();
    const since = new Date(now - 5 * 60_000);
    const daysAgo = new Date(now - 3 * 86_400_000);
    expect(failingWords(NONE, now)).toBeNull();
    expect(failingWords({ failingSince: since.toISOString(), nextAttemptAt: new Date(now + 4 * 60_000).toISOString() }, now)).toBe(
      `Failing since ${since.toLocaleString(undefined, { hour: '2-digit', minute: '2-digit' })}, next retry in 4 min`,
    );
    expect(failingWords({ failingSince: daysAgo.toISOString(), nextAttemptAt: null }, now)).toBe(
      `Failing since ${daysAgo.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}, no retry waiting`,
    );
  });

  it('says how long until something', () => {
    expect(inTime(-1000)).toBe('due now');
    expect(inTime(10_000)).toBe('due now');
    expect(inTime(45_000)).toBe('in 1 min');
    expect(inTime(4 * 60_000)).toBe('in 4 min');
    expect(inTime(HOUR)).toBe('in 1 h');
    expect(inTime(2 * HOUR + 5 * 60_000)).toBe('in 2 h 5 min');
    expect(inTime(5 * 24 * HOUR)).toBe('in 5 days');
  });
});
