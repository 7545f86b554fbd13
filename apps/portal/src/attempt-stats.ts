import type { AttemptSeries, EndpointStats, PortalApi } from './portal.api.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const PERIOD_MS: Record<AttemptSeries['period'], number> = { OneDay: 86_400_000, OneHour: HOUR_MS, FiveMinutes: 300_000 };

/** The windows the chart shows, in whole hours counted back from the current one (included). */
export const WINDOWS = {
  day: { label: '24 hours', hours: 24 },
  week: { label: '7 days', hours: 7 * 24 },
} as const;
export type WindowName = keyof typeof WINDOWS;

/** Where a window starts: the start of the hour `hours - 1` hours before the current one. */
export function windowStart(window: WindowName, now: number): Date {
  return new Date((Math.floor(now / HOUR_MS) - WINDOWS[window].hours + 1) * HOUR_MS);
}

export interface AttemptCounts {
  success: number;
  failure: number;
}

export interface PeriodCounts extends AttemptCounts {
  start: Date;
}

/** The statistics' series as one entry per period (an absent count is 0). */
export function periodsOf(series: AttemptSeries): PeriodCounts[] {
  const start = Date.parse(series.startDate);
  const step = PERIOD_MS[series.period];
  const success = series.data.successCount ?? [];
  const failure = series.data.failureCount ?? [];
  return Array.from({ length: Math.max(success.length, failure.length) }, (_, i) => ({
    start: new Date(start + i * step),
    success: success[i] ?? 0,
    failure: failure[i] ?? 0,
  }));
}

export function totalOf(periods: AttemptCounts[]): AttemptCounts {
  return periods.reduce((total, period) => ({ success: total.success + period.success, failure: total.failure + period.failure }), { success: 0, failure: 0 });
}

/** Successful share of the attempts, in percent; null when there were none. */
export function successRate({ success, failure }: AttemptCounts): number | null {
  const attempts = success + failure;
  return attempts === 0 ? null : Math.round((success / attempts) * 100);
}

/** Whether the endpoint was ever sent anything (any delivery, whatever its status). */
export function hasDeliveries(stats: Pick<EndpointStats, 'success' | 'fail' | 'pending' | 'sending' | 'canceled'>): boolean {
  return stats.success + stats.fail + stats.pending + stats.sending + stats.canceled > 0;
}

/** "Failing since 14:02, next retry in 4 min" for an endpoint failing now; null for one that is not. */
export function failingWords(stats: Pick<EndpointStats, 'failingSince' | 'nextAttemptAt'>, now: number): string | null {
  if (!stats.failingSince) return null;
  const since = `Failing since ${clockTime(new Date(stats.failingSince), now)}`;
  if (!stats.nextAttemptAt) return `${since}, no retry waiting`;
  return `${since}, next retry ${inTime(Date.parse(stats.nextAttemptAt) - now)}`;
}

/** The time of day; with the date too when it is not today. */
function clockTime(date: Date, now: number): string {
  const today = date.toDateString() === new Date(now).toDateString();
  return date.toLocaleString(undefined, today ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** How long until something, in words: "in 4 min", "in 2 h 5 min", "in 3 days"; "due now" once it is. */
export function inTime(ms: number): string {
  if (ms < 30_000) return 'due now';
  const minutes = Math.max(1, Math.round(ms / MINUTE_MS));
  if (minutes < 60) return `in ${minutes} min`;
  if (minutes < 48 * 60) return `in ${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `in ${Math.round(minutes / (24 * 60))} days`;
}

/** A period's start as the chart's text says it: day and time, in the reader's locale. */
export function periodLabel(start: Date): string {
  return start.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}

export interface EndpointHealth {
  /** Deliveries by status (all of them) and the endpoint's health now. */
  stats: EndpointStats;
  /** Attempts per hour over the window. */
  periods: PeriodCounts[];
}

/** What the endpoint's overview and its card in the list show, in one go. */
export async function loadHealth(api: PortalApi, endpointId: string, window: WindowName): Promise<EndpointHealth> {
  const [stats, series] = await Promise.all([api.stats(endpointId), api.attemptSeries(endpointId, windowStart(window, Date.now()))]);
  return { stats, periods: periodsOf(series) };
}
