import { applyDecorators } from '@nestjs/common';
import { IsArray, IsIn, IsOptional, ValidateBy } from 'class-validator';
import { IsDateTime, IsEventTypeName, IsUid, ToDate } from './validation.js';

export const DAY_MS = 86_400_000;
/** Svix's periods a series of statistics is counted by, and their length in milliseconds. */
export const STATISTICS_PERIODS = { OneDay: DAY_MS, OneHour: 3_600_000, FiveMinutes: 300_000 } as const;
export type StatisticsPeriod = keyof typeof STATISTICS_PERIODS;

/** The widest window of statistics, as Svix's server allows it (and its default when `since` is left out). */
export const MAX_STATISTICS_DAYS = 28;
/** Svix's allowance for clocks that disagree: `now - 28 days` (or a replay's 14) from a client a little behind still passes. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** A window's end: a date and time no later than now (give or take the clock skew). Unless `required`, left out: now. */
export const IsWindowEnd = (required = false) =>
  applyDecorators(
    ...(required ? [] : [IsOptional()]),
    ToDate(),
    IsDateTime(),
    ValidateBy({
      name: 'isPast',
      validator: {
        // Not a date at all is IsDateTime's to say.
        validate: (v) => !(v instanceof Date) || v.getTime() <= Date.now() + CLOCK_SKEW_MS,
        defaultMessage: (a) => `${a?.property} cannot be in the future`,
      },
    }),
  );

/**
 * A window's start: before its end (the sibling `end`, or now when that is left out) and at most
 * `MAX_STATISTICS_DAYS` before it. `required`: it cannot be left out (it defaults to 28 days before the end).
 */
export const IsWindowStart = (end: string, required = false) =>
  applyDecorators(
    ...(required ? [] : [IsOptional()]),
    ToDate(),
    IsDateTime(),
    ValidateBy({
      name: 'isWindowStart',
      validator: {
        validate: (v, a) => windowProblem(v, (a?.object as Record<string, unknown>)[end], a?.property ?? '', end) === null,
        defaultMessage: (a) => windowProblem(a?.value, (a?.object as Record<string, unknown>)[end], a?.property ?? '', end) ?? '',
      },
    }),
  );

/** What is wrong with a window's start, or null; an invalid end is its own field's problem. */
function windowProblem(start: unknown, end: unknown, property: string, endName: string): string | null {
  if (!(start instanceof Date)) return null;
  const until = end === undefined || end === null ? Date.now() : end instanceof Date ? end.getTime() : NaN;
  if (Number.isNaN(until)) return null;
  if (start.getTime() >= until) return `${property} must be before ${endName}`;
  if (until - start.getTime() > MAX_STATISTICS_DAYS * DAY_MS + CLOCK_SKEW_MS) return `${property} cannot be more than ${MAX_STATISTICS_DAYS} days before ${endName}`;
  return null;
}

/** Narrows attempt statistics to messages of these event types. */
const IsEventTypeList = () => applyDecorators(IsOptional(), IsArray(), IsEventTypeName({ each: true }));

/** A series of attempt counts, period by period (`StatisticsService.attemptSeries`). */
export class AttemptSeriesInput {
  /** Default: 28 days before `until`. */
  @IsWindowStart('until')
  since?: Date | null;

  /** Default: now. */
  @IsWindowEnd()
  until?: Date | null;

  /** Default: `OneDay`. */
  @IsOptional()
  @IsIn(Object.keys(STATISTICS_PERIODS))
  period?: StatisticsPeriod | null;

  @IsEventTypeList()
  eventTypes?: string[] | null;

  /** Only the attempts to this endpoint of the application (id or uid); a NotFoundError when it has none such. */
  @IsOptional()
  @IsUid()
  endpointId?: string | null;
}

/** Attempt counts over one window, in total and by event type (`StatisticsService.attemptTotals`). */
export class AttemptTotalsInput {
  /** Default: 28 days before `until`. */
  @IsWindowStart('until')
  since?: Date | null;

  /** Default: now. */
  @IsWindowEnd()
  until?: Date | null;

  @IsEventTypeList()
  eventTypes?: string[] | null;
}

/** Message destinations per application over one window (`StatisticsService.messageDestinations`). */
export class UsageInput {
  @IsWindowStart('until', true)
  since: Date;

  @IsWindowEnd(true)
  until: Date;

  /** Application ids (not uids: resolve them first); left out, every application. */
  @IsOptional()
  @IsArray()
  @IsUid({ each: true })
  appIds?: string[] | null;
}
