import { IsBoolean, IsObject, IsOptional, IsString } from 'class-validator';
import { parseDuration } from '../config/duration.js';
import { invalidField } from './validation.js';

/** Most delays an event type's own retry schedule may list (Svix's default lists 7). */
export const MAX_RETRY_SCHEDULE_LENGTH = 50;
/** The longest delay of an event type's own retry schedule: 7 days. */
export const MAX_RETRY_DELAY_MS = 7 * 86_400_000;

/** An OpenAPI document whose `webhooks` (or 3.0's `x-webhooks`) become event types: Svix's EventTypeImportOpenApiIn. */
export class EventTypeImportInput {
  /** The document as an object. */
  @IsOptional()
  @IsObject()
  spec?: Record<string, unknown> | null;

  /** The document as YAML or JSON text (YAML aliases are refused). */
  @IsOptional()
  @IsString()
  specRaw?: string | null;

  /** Tells what would change, and changes nothing. */
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  /** Archives the types the document does not list. */
  @IsOptional()
  @IsBoolean()
  replaceAll?: boolean;
}

/**
 * An event type's own retry schedule in ms: each entry a delay as the `retrySchedule` option takes it
 * (ms, or text such as `5s`), within MAX_RETRY_SCHEDULE_LENGTH entries of at most MAX_RETRY_DELAY_MS.
 */
export function parseRetrySchedule(schedule: unknown): number[] {
  if (!Array.isArray(schedule)) throw invalidField(['retrySchedule'], 'retrySchedule must be a list of delays', 'type_error.list');
  if (schedule.length > MAX_RETRY_SCHEDULE_LENGTH) {
    throw invalidField(['retrySchedule'], `retrySchedule lists ${schedule.length} delays; at most ${MAX_RETRY_SCHEDULE_LENGTH} are allowed`, 'value_error.list.max_items');
  }
  return schedule.map((entry: unknown, index) => {
    const path = ['retrySchedule', String(index)];
    let delay: number;
    try {
      if (typeof entry !== 'string' && typeof entry !== 'number') throw new Error('expected a number of ms or a duration such as 5s');
      delay = parseDuration(entry, `retrySchedule[${index}]`);
    } catch (error) {
      throw invalidField(path, (error as Error).message);
    }
    if (delay > MAX_RETRY_DELAY_MS) throw invalidField(path, `retrySchedule[${index}] is ${delay} ms; the longest delay allowed is ${MAX_RETRY_DELAY_MS} ms (7 days)`, 'value_error.number.not_le');
    return delay;
  });
}
