import { IsOptional } from 'class-validator';
import { IsDeliverAt, IsEventTypeName, IsLabelList, IsMediaType, IsPayload, IsRetentionDays, IsShortText, IsUid } from './validation.js';

export class MessageInput {
  @IsEventTypeName()
  eventType: string;

  /**
   * A JSON value, or a string of JSON to be delivered byte for byte (either nested at most 128 levels);
   * with a `contentType` other than JSON, a string of any text, delivered byte for byte.
   */
  @IsPayload((input: MessageInput) => input.contentType)
  payload: unknown;

  /** The delivery's `content-type` (a media type such as `application/xml`); default `application/json`. */
  @IsOptional()
  @IsMediaType()
  contentType?: string | null;

  /** The sender's idempotency key: a second message with the same one in the application is a conflict. */
  @IsOptional()
  @IsUid()
  eventId?: string | null;

  @IsOptional()
  @IsLabelList()
  channels?: string[] | null;

  /** Free-form labels to find the message by later. */
  @IsOptional()
  @IsLabelList()
  tags?: string[] | null;

  /** A correlation id linking related messages (the envelope's `requestId`). */
  @IsOptional()
  @IsShortText()
  requestId?: string | null;

  /** Days (1 to 90) the payload is kept before it is purged (Svix's field); default the module's `payloadRetention`. */
  @IsOptional()
  @IsRetentionDays()
  payloadRetentionPeriod?: number | null;

  /** Send no earlier than this (a time in the past means now; at most 90 days ahead). */
  @IsOptional()
  @IsDeliverAt()
  deliverAt?: Date | null;
}
