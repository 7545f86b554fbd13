import { describe, expect, it } from 'vitest';
import { CliError } from './cli.io.js';
import { pastTime } from './cli.context.js';

describe('pastTime', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads a duration before now, or an ISO time', () => {
    expect(pastTime('90s', '--since', now).toISOString()).toBe('2026-03-01T11:58:30.000Z');
    expect(pastTime('2h', '--since', now).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(pastTime('3d', '--since', now).toISOString()).toBe('2026-02-26T12:00:00.000Z');
    expect(pastTime('2026-02-01T00:00:00Z', '--since', now).toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });

  it('refuses anything else, naming the option', () => {
    expect(() => pastTime('2 hours', '--until', now)).toThrow(CliError);
    expect(() => pastTime('2 hours', '--until', now)).toThrow('--until: expected an ISO time or a duration like 30m, 2h, 3d; got "2 hours"');
  });
});
