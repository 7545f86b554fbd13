import { ArrayMaxSize, IsArray, IsIn, IsOptional, ValidateBy, type ValidationArguments } from 'class-validator';
import type { DeliveryStatus } from '../entities/index.js';
import { CLOCK_SKEW_MS, DAY_MS } from './statistics.input.js';
import { IsDateTime, IsEventTypeName, IsText, ToDate } from './validation.js';

/**
 * How far back one replay reaches: the limit Svix's server puts on recovering an endpoint (14 days, plus
 * the statistics' clock allowance so that "now minus two weeks" passes whatever the clocks say).
 */
export const MAX_REPLAY_DAYS = 14;
const MAX_REPLAY_MS = MAX_REPLAY_DAYS * DAY_MS + CLOCK_SKEW_MS;

const isDate = (value: unknown): value is Date => value instanceof Date && !Number.isNaN(value.getTime());

/** What is wrong with the window [since, until (or now)); a field whose own format is wrong is left to IsDateTime. */
function windowProblem(field: 'since' | 'until', { object }: ValidationArguments): string | null {
  const { since, until } = object as { since?: unknown; until?: unknown };
  if (!isDate(since) || (until != null && !isDate(until))) return null;
  const end = isDate(until) ? until : new Date();
  if (field === 'until') return end < since ? 'until must not be before since' : null;
  return end.getTime() - since.getTime() > MAX_REPLAY_MS ? `since must be at most ${MAX_REPLAY_DAYS} days before ${isDate(until) ? 'until' : 'now'}` : null;
}

const IsWithinWindow = (field: 'since' | 'until') =>
  ValidateBy({
    name: 'isWithinReplayWindow',
    validator: { validate: (_value, args) => windowProblem(field, args!) === null, defaultMessage: (args) => windowProblem(field, args!) ?? '' },
  });

/** The start of a replay's window: at most 14 days before its end. */
export const IsReplaySince = () => IsWithinWindow('since');
/** The end of a replay's window: not before its start. */
export const IsReplayUntil = () => IsWithinWindow('until');

/** Messages created in a window: [since, until), until defaulting to now. */
export class ReplayInput {
  @ToDate()
  @IsDateTime()
  @IsReplaySince()
  since: Date;

  @IsOptional()
  @ToDate()
  @IsDateTime()
  @IsReplayUntil()
  until?: Date | null;
}

/** Response classes a bulk replay can pick by: 0 is no response (connection error, timeout, cancelled). */
export const STATUS_CODE_CLASSES = [0, 100, 200, 300, 400, 500];
const DELIVERY_STATUSES: DeliveryStatus[] = ['success', 'pending', 'failed', 'sending', 'canceled'];

/** Which of an endpoint's deliveries a bulk replay sends again; each filter given narrows it. */
export class BulkReplayInput extends ReplayInput {
  /** Messages of any of these event types. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsEventTypeName({ each: true })
  eventTypes?: string[] | null;

  /** Messages sent on this channel. */
  @IsOptional()
  @IsText(1, 128)
  channel?: string | null;

  /** Messages carrying this tag. */
  @IsOptional()
  @IsText(1, 128)
  tag?: string | null;

  /** Deliveries in this status; only ended ones (success, failed, canceled) are replayed. */
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus | null;

  /** Deliveries whose last attempt got a response of this class (100, ..., 500; 0: none). */
  @IsOptional()
  @IsIn(STATUS_CODE_CLASSES)
  statusCodeClass?: number | null;
}
