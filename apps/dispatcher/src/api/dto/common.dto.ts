import type { Type as Class } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import { type SortOrder } from '@homing/webhooks';
import { DEFAULT_PAGE_LIMIT, IsIntIn, IsRateLimit, MAX_PAGE_LIMIT } from '@homing/webhooks/internal';

/** Query strings arrive as text: these read them before validation (a value they cannot read is left for the validator to refuse). */
export const ToBoolean = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));
export const ToInteger = () => Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));
/** `a,b` (as the Svix SDK joins arrays) or repeated parameters. */
export const ToList = () =>
  Transform(({ value }) => (value === undefined ? value : [value].flat().flatMap((item) => String(item).split(',')).filter((item) => item !== '')));

/** The bound of an integer Svix gives no range for: what an int column holds. */
export const INT32_MAX = 2_147_483_647;

export class ListQuery {
  @ApiPropertyOptional({ description: 'Items per page', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT })
  @IsOptional()
  @ToInteger()
  @IsIntIn(1, MAX_PAGE_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `iterator` (or `prevIterator`) of a previous page', type: String })
  @IsOptional()
  @IsString()
  iterator?: string;
}

export class OrderedListQuery extends ListQuery {
  @ApiPropertyOptional({ enum: ['ascending', 'descending'] })
  @IsOptional()
  @IsIn(['ascending', 'descending'])
  order?: SortOrder;
}

/** `with_content=false` (what the Svix SDK sends by default) leaves payloads and response bodies out. */
export class WithContentQuery {
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'with_content must be true or false' })
  with_content?: boolean;
}

/** Svix's `{ data, iterator, prevIterator, done }`, for an item class (named for the OpenAPI document). */
export function ListResponse<T>(item: Class<T>) {
  class ListResponseOf {
    @ApiProperty({ type: [item] })
    data: T[];

    @ApiProperty({ type: String, nullable: true, description: 'Pass as `iterator` for the next page' })
    iterator: string | null;

    @ApiProperty({ type: String, nullable: true, description: 'Pass as `iterator` for the previous page' })
    prevIterator: string | null;

    @ApiProperty({ description: 'No more items in the direction travelled' })
    done: boolean;
  }
  Object.defineProperty(ListResponseOf, 'name', { value: `ListResponse${item.name}` });
  return ListResponseOf;
}

const THROTTLE: ApiPropertyOptions = {
  description: "Deliveries per second, enforced across all dispatchers (excess waits); an endpoint without one takes its application's",
  type: Number,
  nullable: true,
  minimum: 1,
  maximum: 65_535,
};
/** Homing's extension: how deliveries are signed. */
export const SIGNATURE_SCHEME: ApiPropertyOptions = {
  description:
    "`{ type: 'standard-webhooks' }` (the default), or Rye's `{ type: 'body-hmac', header?, accountHeader? }`: base64 HMAC-SHA256 of the body in `header` (default `Rye-Hmac-Signature-V1`), the application's developer id in `accountHeader` (default `Rye-Verification`; null: none)",
  type: 'object',
  additionalProperties: true,
  nullable: true,
  example: { type: 'body-hmac' },
};
const OLD_THROTTLE: ApiPropertyOptions = { ...THROTTLE, deprecated: true, description: 'Older name of `throttleRate`' };
const METADATA: ApiPropertyOptions = { type: 'object', additionalProperties: { type: 'string' }, example: { team: 'billing' } };

/** The rate fields of applications and endpoints: `throttleRate`, or `rateLimit` from older clients. */
export class ThrottleIn {
  @ApiPropertyOptional(THROTTLE)
  @IsOptional()
  @IsRateLimit()
  throttleRate?: number | null;

  @ApiPropertyOptional(OLD_THROTTLE)
  @IsOptional()
  @IsRateLimit()
  rateLimit?: number | null;
}

/** The library's `rateLimit` from either name; the newer one wins when a client sends both. */
export function rateLimitOf({ throttleRate, rateLimit }: ThrottleIn): number | null | undefined {
  return throttleRate !== undefined ? throttleRate : rateLimit;
}

/** What applications and endpoints answer alike. */
export class ResourceOut {
  @ApiProperty(THROTTLE)
  throttleRate: number | null;

  @ApiProperty(OLD_THROTTLE)
  rateLimit: number | null;

  @ApiProperty(METADATA)
  metadata: Record<string, string>;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;

  static of(resource: { rateLimit: number | null; metadata: Record<string, string> | null; createdAt: Date; updatedAt: Date }): ResourceOut {
    return { throttleRate: resource.rateLimit, rateLimit: resource.rateLimit, metadata: resource.metadata ?? {}, createdAt: resource.createdAt, updatedAt: resource.updatedAt };
  }
}

export class HttpErrorOut {
  @ApiProperty({ example: 'not_found' })
  code: string;

  @ApiProperty({ example: 'endpoint "ep_…" not found' })
  detail: string;
}

export class ValidationErrorItem {
  @ApiProperty({ type: [String], example: ['body', 'url'] })
  loc: string[];

  @ApiProperty()
  msg: string;

  @ApiProperty({ example: 'isUrl' })
  type: string;
}

export class HttpValidationError {
  @ApiProperty({ type: [ValidationErrorItem] })
  detail: ValidationErrorItem[];
}
