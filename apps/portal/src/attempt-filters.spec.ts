import { describe, expect, it } from 'vitest';
import { attemptQuery, isFiltered, readFilters, writeFilters } from './attempt-filters.js';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');

describe("the Attempts tab's filters in the address", () => {
  it('reads what a shared link holds and ignores values that mean nothing', () => {
    expect(readFilters('?status=failed&event_type=order.completed&window=24h&msg=evt_42')).toEqual({
      status: 'failed',
      eventType: 'order.completed',
      window: '24h',
      msg: 'evt_42',
    });
    expect(readFilters('?status=pending&window=fortnight&msg=%20%20')).toEqual({});
    expect(readFilters('?window=custom&since=2026-11-29T08:00:00Z&until=nonsense')).toEqual({ window: 'custom', since: '2026-11-29T08:00:00.000Z' });
    // since and until mean something only with a custom window.
    expect(readFilters('?window=1h&since=2026-11-29T08:00:00Z')).toEqual({ window: '1h' });
  });

  it("writes its own parameters and keeps the dashboard's look", () => {
    const search = writeFilters('?darkMode=true&status=succeeded&msg=old', { status: 'failed', window: 'custom', since: '2026-11-29T08:00:00.000Z' });
    expect(new URLSearchParams(search).toString()).toBe('darkMode=true&status=failed&window=custom&since=2026-11-29T08%3A00%3A00.000Z');
    expect(readFilters(search)).toEqual({ status: 'failed', window: 'custom', since: '2026-11-29T08:00:00.000Z' });
    expect(writeFilters('?status=failed', {})).toBe('');
  });

  it("asks the list operations for the filters' attempts, windows ending now", () => {
    expect(attemptQuery({}, NOW)).toEqual({});
    expect(attemptQuery({ status: 'succeeded', eventType: 'order.completed', window: '1h' }, NOW)).toEqual({
      status: 0,
      event_types: 'order.completed',
      after: '2026-11-30T11:00:00.000Z',
    });
    expect(attemptQuery({ status: 'canceled', window: '7d' }, NOW)).toEqual({ status: 4, after: '2026-11-23T12:00:00.000Z' });
    expect(attemptQuery({ window: 'custom', since: '2026-11-29T08:00:00.000Z', until: '2026-11-29T09:00:00.000Z' }, NOW)).toEqual({
      after: '2026-11-29T08:00:00.000Z',
      before: '2026-11-29T09:00:00.000Z',
    });
    expect(isFiltered({})).toBe(false);
    expect(isFiltered({ msg: 'msg_1' })).toBe(true);
  });
});
