import { ApiProperty, ApiPropertyOptional, OmitType, PartialType, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString } from 'class-validator';
import { type SignatureScheme, type EndpointEntity, type EndpointInput, type EndpointOrdering, type EndpointStats as DeliveryCounts } from '@homing/webhooks';
import { IsDateTime, IsDescription, IsEndpointUrl, IsEventTypeFilter, IsEventTypeName, IsHeaderMap, IsIntIn, isSensitiveHeader, IsLabelList, IsOmittable, IsSignatureScheme, IsStringMap, IsUid, IsWebhookSecret, KEY_FORMATS, SECRET_FORMATS, ToDate } from '@homing/webhooks/internal';
import { INT32_MAX, ListResponse, OrderedListQuery, rateLimitOf, ResourceOut, SIGNATURE_SCHEME, ThrottleIn } from './common.dto.js';

const EVENT_TYPES: ApiPropertyOptions = {
  description: 'Event types to receive (a trailing `.*` matches a subtree); none or null: every type',
  type: [String],
  nullable: true,
  example: ['order.completed', 'route.optimized.*'],
};
const CHANNELS: ApiPropertyOptions = { description: 'Channels to listen to; none or null: every channel', type: [String], nullable: true, example: ['eu'] };
const UID: ApiPropertyOptions = { description: 'Your own identifier, unique in the application', type: String, nullable: true, example: 'primary' };
const STRING_MAP: ApiPropertyOptions = { type: 'object', additionalProperties: { type: 'string' } };
const ORDERING: ApiPropertyOptions = {
  description:
    "Homing extension. `fifo`: deliveries one at a time, in the order the messages were accepted; a failed one holds the line while it is retried (HOMING_ORDERED_FAILURE: what happens when its retries run out). null: unordered",
  enum: ['fifo'],
  nullable: true,
};

export class EndpointIn extends ThrottleIn {
  @ApiProperty({ example: 'https://example.com/webhooks', maxLength: 2048 })
  @IsEndpointUrl()
  url: string;

  @ApiPropertyOptional({ default: '', maxLength: 4096 })
  @IsOmittable()
  @IsDescription()
  description?: string;

  @ApiPropertyOptional(EVENT_TYPES)
  @IsOptional()
  @IsEventTypeFilter()
  eventTypes?: string[] | null;

  @ApiPropertyOptional({ ...EVENT_TYPES, deprecated: true, description: 'Older name of `eventTypes`' })
  @IsOptional()
  @IsEventTypeFilter()
  filterTypes?: string[] | null;

  @ApiPropertyOptional(CHANNELS)
  @IsOptional()
  @IsLabelList()
  channels?: string[] | null;

  @ApiPropertyOptional({ default: false })
  @IsOmittable()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional(UID)
  @IsOptional()
  @IsUid()
  uid?: string | null;

  @ApiPropertyOptional({ ...STRING_MAP, example: { team: 'billing' } })
  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string>;

  @ApiPropertyOptional({ description: `Signing secret, one of: ${SECRET_FORMATS.join('; ')}. Generated (HOMING_DEFAULT_SIGNATURE) when left out`, type: String, nullable: true })
  @IsOptional()
  @IsWebhookSecret()
  secret?: string | null;

  @ApiPropertyOptional({ ...STRING_MAP, nullable: true, description: 'Extra headers sent with every delivery', example: { 'x-customer': 'c-42' } })
  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string> | null;

  @ApiPropertyOptional({ deprecated: true, minimum: 1, maximum: INT32_MAX, description: 'Sent by older clients; ignored' })
  @IsOptional()
  @IsIntIn(1, INT32_MAX)
  version?: number;

  @ApiPropertyOptional({ ...SIGNATURE_SCHEME, description: `${SIGNATURE_SCHEME.description}; null: the application's` })
  @IsOptional()
  @IsSignatureScheme()
  signatureScheme?: SignatureScheme | null;

  @ApiPropertyOptional(ORDERING)
  @IsOptional()
  @IsIn(['fifo'], { message: "ordering must be 'fifo' or null" })
  ordering?: EndpointOrdering | null;
}

/** PUT: every field but the secret and headers, which have their own routes. */
export class EndpointUpdate extends OmitType(EndpointIn, ['secret', 'headers'] as const) {}

/** Only the fields given change; `null` clears an optional one. */
export class EndpointPatch extends PartialType(EndpointUpdate, { skipNullProperties: false }) {}

export class EndpointOut extends ResourceOut {
  @ApiProperty({ example: 'ep_01JD3B9R8Q2W6N3V5X7Y9Z1A2B' })
  id: string;

  @ApiProperty(UID)
  uid: string | null;

  @ApiProperty()
  url: string;

  @ApiProperty()
  description: string;

  @ApiProperty(EVENT_TYPES)
  eventTypes: string[] | null;

  @ApiProperty({ ...EVENT_TYPES, deprecated: true })
  filterTypes: string[] | null;

  @ApiProperty(CHANNELS)
  channels: string[] | null;

  @ApiProperty()
  disabled: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Why the endpoint is disabled (by the user, after failing too long, 410 Gone)', example: null })
  disabledReason: string | null;

  @ApiProperty(ORDERING)
  ordering: EndpointOrdering | null;

  static from(endpoint: EndpointEntity): EndpointOut {
    return {
      id: endpoint.id,
      uid: endpoint.uid,
      url: endpoint.url,
      description: endpoint.description,
      eventTypes: endpoint.filterTypes,
      filterTypes: endpoint.filterTypes,
      channels: endpoint.channels,
      disabled: endpoint.disabled,
      disabledReason: endpoint.disabledReason,
      ordering: endpoint.ordering,
      ...ResourceOut.of(endpoint),
    };
  }
}

export class ListResponseEndpointOut extends ListResponse(EndpointOut) {}

export class EndpointListQuery extends OrderedListQuery {}

/** The library's input from Svix's names; the newer name wins when a client sends both. */
export function endpointInput(input: EndpointUpdate): EndpointInput;
export function endpointInput(input: Partial<EndpointIn>): Partial<EndpointInput>;
export function endpointInput(input: Partial<EndpointIn>): Partial<EndpointInput> {
  const { eventTypes, filterTypes, throttleRate: _throttleRate, rateLimit: _rateLimit, version: _version, secret, ...rest } = input;
  return {
    ...rest,
    ...(secret != null ? { secret } : {}),
    filterTypes: eventTypes !== undefined ? eventTypes : filterTypes,
    rateLimit: rateLimitOf(input),
  };
}

export class EndpointSecretOut {
  @ApiProperty({ description: `What receivers verify with (the public key of an asymmetric secret), one of: ${KEY_FORMATS.join('; ')}`, example: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD' })
  key: string;
}

export class EndpointSecretRotateIn {
  @ApiPropertyOptional({ description: `The new secret, one of: ${SECRET_FORMATS.join('; ')}. Generated (HOMING_DEFAULT_SIGNATURE) when left out`, type: String, nullable: true })
  @IsOptional()
  @IsWebhookSecret()
  key?: string | null;

  @ApiPropertyOptional({ description: 'How long the old secret keeps signing, in seconds (0 to 7 days)', default: 86400, minimum: 0, maximum: 604800 })
  @IsOptional()
  @IsIntIn(0, 604_800)
  gracePeriodSeconds?: number | null;
}

export class EndpointHeadersIn {
  @ApiProperty({ ...STRING_MAP, example: { 'x-customer': 'c-42' } })
  @IsHeaderMap()
  headers: Record<string, string>;
}

export class EndpointHeadersPatchIn {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', nullable: true }, description: 'Headers to set; a null value removes one' })
  @IsObject()
  headers: Record<string, string | null>;

  @ApiPropertyOptional({ type: [String], description: 'Headers to remove' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  deleteHeaders?: string[];
}

export class EndpointHeadersOut {
  @ApiProperty({ ...STRING_MAP, description: 'The headers, except sensitive ones' })
  headers: Record<string, string>;

  @ApiProperty({ type: [String], description: 'Names of headers set but not shown (e.g. authorization)' })
  sensitive: string[];

  static from(headers: Record<string, string> | null): EndpointHeadersOut {
    const entries = Object.entries(headers ?? {});
    return {
      headers: Object.fromEntries(entries.filter(([name]) => !isSensitiveHeader(name))),
      sensitive: entries.map(([name]) => name).filter(isSensitiveHeader),
    };
  }
}

/** The headers after a PATCH: given ones set (null removes), `deleteHeaders` removed, case-insensitively. */
export function patchedHeaders(current: Record<string, string> | null, patch: EndpointHeadersPatchIn): Record<string, string> {
  const removed = new Set([...(patch.deleteHeaders ?? []), ...Object.keys(patch.headers)].map((name) => name.toLowerCase()));
  const kept = Object.entries(current ?? {}).filter(([name]) => !removed.has(name.toLowerCase()));
  const set = Object.entries(patch.headers).filter((entry): entry is [string, string] => entry[1] !== null);
  return Object.fromEntries([...kept, ...set]);
}

export class RecoverIn {
  @ApiProperty({ description: 'Resend failed deliveries of messages created since then' })
  @ToDate()
  @IsDateTime()
  since: Date;

  @ApiPropertyOptional({ description: '... and before this', type: Date, nullable: true })
  @IsOptional()
  @ToDate()
  @IsDateTime()
  until?: Date | null;
}

export class EventExampleIn {
  @ApiProperty({ example: 'order.completed' })
  @IsEventTypeName()
  eventType: string;

  @ApiPropertyOptional({ description: "Which of the schema's examples to send", default: 0, minimum: 0, maximum: INT32_MAX })
  @IsOptional()
  @IsIntIn(0, INT32_MAX)
  exampleIndex?: number;
}

export class EndpointStatsQuery {
  @ApiPropertyOptional({ type: Date, description: 'Count messages created since then' })
  @IsOptional()
  @ToDate()
  @IsDateTime()
  since?: Date;

  @ApiPropertyOptional({ type: Date, description: '... and before this' })
  @IsOptional()
  @ToDate()
  @IsDateTime()
  until?: Date;
}

export class EndpointStats {
  @ApiProperty()
  success: number;

  @ApiProperty()
  pending: number;

  @ApiProperty()
  sending: number;

  @ApiProperty()
  fail: number;

  @ApiProperty({ description: 'Called off by cancel-msgs' })
  canceled: number;

  @ApiProperty({ type: Date, nullable: true, description: 'Homing extension: when its current run of failures began (a failed attempt with no success since); null while it succeeds' })
  failingSince: Date | null;

  @ApiProperty({ type: Date, nullable: true, description: 'Homing extension: when the earliest of its pending deliveries is due (its next attempt), whatever the window; null when none waits' })
  nextAttemptAt: Date | null;

  @ApiProperty({ description: 'Homing extension: its deliveries that failed and wait on a scheduled retry (what retry-now sends at once), whatever the window' })
  waitingRetry: number;

  static from(counts: DeliveryCounts): EndpointStats {
    return {
      success: counts.success,
      pending: counts.pending,
      sending: counts.sending,
      fail: counts.failed,
      canceled: counts.canceled,
      failingSince: counts.failingSince,
      nextAttemptAt: counts.nextAttemptAt,
      waitingRetry: counts.waitingRetry,
    };
  }
}
