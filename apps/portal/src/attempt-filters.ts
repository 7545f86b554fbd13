import { STATUS, type AttemptQuery } from './portal.api.js';

/**
 * The Attempts tab's filters, kept in the page's query string so a filtered view can be shared and
 * survives a reload: `status`, `event_type`, `window` (with `since` and `until` for a custom one, as
 * ISO times so a link means the same in every time zone) and `msg`, a message id or eventId.
 */
export interface AttemptFilters {
  status?: StatusName;
  eventType?: string;
  window?: TimeWindow;
  since?: string;
  until?: string;
  msg?: string;
}

export type StatusName = keyof typeof STATUS_NAMES;
export type TimeWindow = keyof typeof WINDOWS;

/** The statuses an attempt can have (pending and sending are a delivery's, not an attempt's). */
const STATUS_NAMES = { succeeded: STATUS.success, failed: STATUS.fail, canceled: STATUS.canceled };

/** Windows ending now, by their length; `custom` is since–until. */
const WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, custom: 0 };

/** The query names this tab owns; the others (the embedding dashboard's look) are left alone. */
const PARAMS = ['status', 'event_type', 'window', 'since', 'until', 'msg'] as const;

/** The filters a query string holds; a value that means nothing is ignored, as if absent. */
export function readFilters(search: string): AttemptFilters {
  const query = new URLSearchParams(search);
  const text = (name: string) => query.get(name)?.trim() || undefined;
  const time = (name: string) => {
    const value = text(name);
    return value && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
  };
  const status = text('status');
  const window = text('window');
  const filters: AttemptFilters = {
    status: status && Object.hasOwn(STATUS_NAMES, status) ? (status as StatusName) : undefined,
    eventType: text('event_type'),
    window: window && Object.hasOwn(WINDOWS, window) ? (window as TimeWindow) : undefined,
    msg: text('msg'),
  };
  if (filters.window === 'custom') Object.assign(filters, { since: time('since'), until: time('until') });
  return withoutEmpty(filters);
}

/** `search` with the filters in place of those it had, other parameters kept: `?…` or empty. */
export function writeFilters(search: string, filters: AttemptFilters): string {
  const query = new URLSearchParams(search);
  for (const name of PARAMS) query.delete(name);
  const values: Record<(typeof PARAMS)[number], string | undefined> = {
    status: filters.status,
    event_type: filters.eventType,
    window: filters.window,
    since: filters.window === 'custom' ? filters.since : undefined,
    until: filters.window === 'custom' ? filters.until : undefined,
    msg: filters.msg,
  };
  for (const name of PARAMS) if (values[name]) query.set(name, values[name]!);
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** Whether any filter narrows the list. */
export function isFiltered(filters: AttemptFilters): boolean {
  return Object.keys(withoutEmpty(filters)).length > 0;
}

/** The list operations' parameters for the filters, a window ending now measured from `now`. */
export function attemptQuery(filters: AttemptFilters, now: number): AttemptQuery {
  const length = filters.window ? WINDOWS[filters.window] : 0;
  const after = length ? new Date(now - length).toISOString() : filters.window === 'custom' ? filters.since : undefined;
  const before = filters.window === 'custom' ? filters.until : undefined;
  return withoutEmpty({ status: filters.status && STATUS_NAMES[filters.status], event_types: filters.eventType, after, before });
}

function withoutEmpty<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined && item !== '')) as T;
}
