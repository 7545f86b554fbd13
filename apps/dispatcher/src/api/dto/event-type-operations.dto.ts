import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, ValidateBy } from 'class-validator';
import type { EventTypeFromOpenApi, EventTypeImport } from '@homing/webhooks';
import { MAX_RETRY_DELAY_MS, MAX_RETRY_SCHEDULE_LENGTH } from '@homing/webhooks/internal';

const NAME = { example: 'user.signup', maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' };

export class EventTypeImportOpenApiIn {
  @ApiPropertyOptional({ default: false, description: 'Tell what would change (`to_modify`) and change nothing' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Archive the event types the document does not list' })
  @IsOptional()
  @IsBoolean()
  replaceAll?: boolean;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'The OpenAPI document as JSON; give this or `specRaw`' })
  @IsOptional()
  @IsObject()
  spec?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The OpenAPI document as YAML or JSON text (no YAML aliases); give this or `spec`' })
  @IsOptional()
  @IsString()
  specRaw?: string | null;
}

export class EventTypeFromOpenApiOut {
  @ApiProperty(NAME)
  name: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'As it would be stored: the schema as version "1", its examples in it' })
  schemas: Record<string, any> | null;

  @ApiProperty()
  deprecated: boolean;

  @ApiProperty({ type: String, nullable: true })
  groupName: string | null;

  @ApiProperty({ type: [String], nullable: true })
  featureFlags: string[] | null;

  static from(type: EventTypeFromOpenApi): EventTypeFromOpenApiOut {
    return { name: type.name, description: type.description, schemas: type.schemas, deprecated: type.deprecated, groupName: type.groupName, featureFlags: type.featureFlags };
  }
}

export class EventTypeImportOpenApiOutData {
  @ApiProperty({ type: [String], description: 'The event types created, changed or archived (none on a dry run)' })
  modified: string[];

  @ApiPropertyOptional({ type: [EventTypeFromOpenApiOut], nullable: true, description: 'On a dry run: the types of the document that would be created or changed' })
  to_modify?: EventTypeFromOpenApiOut[] | null;
}

export class EventTypeImportOpenApiOut {
  @ApiProperty()
  data: EventTypeImportOpenApiOutData;

  static from(result: EventTypeImport): EventTypeImportOpenApiOut {
    return { data: { modified: result.modified, ...(result.toModify ? { to_modify: result.toModify.map(EventTypeFromOpenApiOut.from) } : {}) } };
  }
}

/** Svix's (Rust's) duration. */
export class Duration {
  @ApiProperty({ type: 'integer', minimum: 0 })
  secs: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 999_999_999 })
  nanos: number;
}

const MAX_NANOS = 999_999_999;
const isCount = (value: unknown, max: number) => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;

/** Why a list of Svix durations cannot be a type's retry schedule, or null when it can. */
function retryScheduleProblem(schedule: unknown): string | null {
  if (!Array.isArray(schedule)) return ' must be a list of durations ({ secs, nanos })';
  if (schedule.length > MAX_RETRY_SCHEDULE_LENGTH) return ` lists ${schedule.length} delays; at most ${MAX_RETRY_SCHEDULE_LENGTH} are allowed`;
  for (const [index, entry] of schedule.entries()) {
    const duration = entry as Partial<Duration> | null;
    if (typeof duration !== 'object' || duration === null || !isCount(duration.secs, Number.MAX_SAFE_INTEGER) || !isCount(duration.nanos, MAX_NANOS)) {
      return `[${index}] must be { secs, nanos }: whole numbers from 0, nanos below 1000000000`;
    }
    if (durationMs(duration as Duration) > MAX_RETRY_DELAY_MS) return `[${index}] is longer than the ${MAX_RETRY_DELAY_MS / 1000} seconds (7 days) a delay may be`;
  }
  return null;
}

/** Homing keeps delays in whole milliseconds. */
const durationMs = ({ secs, nanos }: Duration) => secs * 1000 + Math.round(nanos / 1_000_000);

export class RetryScheduleInOut {
  @ApiPropertyOptional({
    type: [Duration],
    nullable: true,
    maxItems: MAX_RETRY_SCHEDULE_LENGTH,
    description: `Delays between attempts of the type's messages, each at most 7 days, kept to the millisecond; null (or left out): the dispatcher's HOMING_RETRY_SCHEDULE`,
  })
  @IsOptional()
  @ValidateBy({ name: 'isRetrySchedule', validator: { validate: (v) => retryScheduleProblem(v) === null, defaultMessage: (a) => `${a?.property}${retryScheduleProblem(a?.value)}` } })
  retrySchedule?: Duration[] | null;

  /** The delays in ms, for the library. */
  static toMs(body: RetryScheduleInOut): number[] | null {
    return body.retrySchedule?.map(durationMs) ?? null;
  }

  static from(schedule: readonly number[] | null): RetryScheduleInOut {
    return { retrySchedule: schedule?.map((ms) => ({ secs: Math.floor(ms / 1000), nanos: Math.round(ms % 1000) * 1_000_000 })) ?? null };
  }
}
