import { ApiProperty, ApiPropertyOptional, IntersectionType, type ApiPropertyOptions } from '@nestjs/swagger';
import { Expose, Transform, Type } from 'class-transformer';
import { IsArray, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { type MessageEntity, type MessageInput } from '@homing/webhooks';
import {
  IsDateTime,
  IsDeliverAt,
  IsEventTypeName,
  IsIntIn,
  isJsonMediaType,
  IsLabelList,
  IsMediaType,
  IsPayloadText,
  IsRetentionDays,
  IsShortText,
  IsText,
  IsUid,
  MAX_DELIVER_AHEAD_DAYS,
  ToDate,
} from '@homing/webhooks/internal';
import { ApplicationIn } from './application.dto.js';
import { ListQuery, ListResponse, ToList, WithContentQuery } from './common.dto.js';

const LABELS: ApiPropertyOptions = { type: [String], nullable: true };

/** `transformationsParams.headers`: only `content-type` (named in any case) is read; other headers are dropped. */
export class PayloadHeaders {
  @Expose()
  @Transform(({ obj }: { obj: Record<string, unknown> }) => Object.entries(obj).find(([name]) => name.toLowerCase() === 'content-type')?.[1])
  @IsOptional()
  @IsMediaType()
  'content-type'?: string | null;
}

export class TransformationsParams {
  @ApiPropertyOptional({ description: 'Text delivered byte for byte instead of `payload`: JSON text unless `headers` give another content type' })
  @IsOptional()
  @IsPayloadText((params: TransformationsParams) => params.headers?.['content-type'])
  rawPayload?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: "`content-type`: the webhook's content type (default `application/json`), e.g. `application/xml` for an XML `rawPayload`",
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PayloadHeaders)
  headers?: PayloadHeaders;
}

export class MessageIn {
  @ApiProperty({ example: 'order.completed' })
  @IsEventTypeName()
  eventType: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { id: 'ord_1', total: 1250 }, description: 'The JSON object delivered' })
  @IsObject({ message: 'payload must be a JSON object' })
  payload: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Your unique key for the message in the application: a second one is a 409' })
  @IsOptional()
  @IsUid()
  eventId?: string | null;

  @ApiPropertyOptional({ ...LABELS, example: ['eu'] })
  @IsOptional()
  @IsLabelList()
  channels?: string[] | null;

  @ApiPropertyOptional({ ...LABELS, example: ['order_ord_1'] })
  @IsOptional()
  @IsLabelList()
  tags?: string[] | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: "Homing's extension: a correlation id linking related messages (the envelope's `requestId`)" })
  @IsOptional()
  @IsShortText()
  requestId?: string | null;

  @ApiPropertyOptional({ type: Date, nullable: true, description: `Deliver no earlier than this (at most ${MAX_DELIVER_AHEAD_DAYS} days ahead)` })
  @IsOptional()
  @IsDeliverAt()
  deliverAt?: Date | null;

  @ApiPropertyOptional({ type: () => ApplicationIn, nullable: true, description: 'Creates the application (whose `uid` must be the one in the path) if it does not exist' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ApplicationIn)
  application?: ApplicationIn | null;

  @ApiPropertyOptional({ type: () => TransformationsParams, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => TransformationsParams)
  transformationsParams?: TransformationsParams | null;

  @ApiPropertyOptional({ description: 'Days the payload is kept before it is purged (default HOMING_PAYLOAD_RETENTION, 90 days)', minimum: 1, maximum: 90, nullable: true })
  @IsOptional()
  @IsRetentionDays()
  payloadRetentionPeriod?: number | null;

  @ApiPropertyOptional({ description: 'Accepted for compatibility; ignored (the retention is `payloadRetentionPeriod`, in days)', minimum: 1, maximum: 2160, nullable: true })
  @IsOptional()
  @IsIntIn(1, 2160)
  payloadRetentionHours?: number | null;
}

/**
 * The library's input for a body the pipe has validated, `payload` being the text to deliver. MessageIn's fields
 * use MessageInput's validators, so the input needs no second pass (message.dto.spec.ts holds MessageIn to that).
 */
export function messageInput(body: MessageIn, payload: string): MessageInput & { payload: string } {
  return {
    eventType: body.eventType,
    payload,
    contentType: body.transformationsParams?.headers?.['content-type'],
    eventId: body.eventId,
    channels: body.channels,
    tags: body.tags,
    deliverAt: body.deliverAt,
    requestId: body.requestId,
    payloadRetentionPeriod: body.payloadRetentionPeriod,
  };
}

export class MessageOut {
  @ApiProperty({ example: 'msg_01JD3B9R8Q2W6N3V5X7Y9Z1A2B' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  eventId: string | null;

  @ApiProperty()
  eventType: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: '`{}` unless `with_content=true`' })
  payload: unknown;

  @ApiProperty(LABELS)
  channels: string[] | null;

  @ApiProperty(LABELS)
  tags: string[] | null;

  @ApiProperty({ description: 'When the message was created' })
  timestamp: Date;

  @ApiProperty({ type: Date, nullable: true })
  deliverAt: Date | null;

  /** `parsed`: the payload's value when the caller has it already (the body just sent), else it is read from the text. */
  static from(message: MessageEntity, withContent: boolean, parsed?: unknown): MessageOut {
    return {
      id: message.id,
      eventId: message.eventId,
      eventType: message.eventType,
      // `payload` is an object in Svix's schema: one that is not JSON shows as `{}` (its text is at get-raw-payload).
      payload: withContent && isJsonMediaType(message.contentType) ? (parsed ?? JSON.parse(message.payload)) : {},
      channels: message.channels,
      tags: message.tags,
      timestamp: message.createdAt,
      deliverAt: message.deliverAt,
    };
  }
}

export class ListResponseMessageOut extends ListResponse(MessageOut) {}

/** What listings of messages, attempts and deliveries can be narrowed to. */
export class MessageFilterQuery extends ListQuery {
  @ApiPropertyOptional({ type: [String], description: 'Any of these event types (comma-separated or repeated)' })
  @IsOptional()
  @ToList()
  @IsArray()
  @IsEventTypeName({ each: true })
  event_types?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsText(1, 128)
  channel?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsText(1, 128)
  tag?: string;

  @ApiPropertyOptional({ type: Date, description: 'Created before' })
  @IsOptional()
  @ToDate()
  @IsDateTime()
  before?: Date;

  @ApiPropertyOptional({ type: Date, description: 'Created after' })
  @IsOptional()
  @ToDate()
  @IsDateTime()
  after?: Date;
}

export class MessageListQuery extends IntersectionType(MessageFilterQuery, WithContentQuery) {}

/** The library's filters from the query's names. */
export function messageFilters(query: MessageFilterQuery) {
  return { eventTypes: query.event_types, channel: query.channel, tag: query.tag, before: query.before, after: query.after };
}
