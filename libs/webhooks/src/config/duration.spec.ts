import { describe, expect, it } from 'vitest';
import { parseDuration, parseDurationList } from './duration.js';

describe('parseDuration', () => {
  it('reads every unit the configuration documents', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5s')).toBe(5_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('5d')).toBe(432_000_000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration(20)).toBe(20);
  });

  it('names the setting in the error for a value it cannot read', () => {
    expect(() => parseDuration('soon', 'HOMING_REQUEST_TIMEOUT')).toThrow(/HOMING_REQUEST_TIMEOUT: "soon" is not a duration/);
    expect(() => parseDuration('-5s')).toThrow(/not a duration/);
    expect(() => parseDuration(-1)).toThrow(/non-negative/);
  });

  it('reads the default retry schedule as eight attempts in all', () => {
    expect(parseDurationList('5s,5m,30m,2h,5h,10h,10h')).toEqual([5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6]);
    expect(parseDurationList('')).toEqual([]);
  });
});
