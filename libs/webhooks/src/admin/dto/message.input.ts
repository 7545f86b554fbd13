import { Type } from 'class-transformer';
import { IsDate, IsDefined, IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { IsEventTypeName, IsLabelList, IsUid } from '../validation.js';

export class MessageInput {
  @IsEventTypeName()
  eventType: string;

  /** A JSON value, or a string of JSON to be delivered byte for byte. */
  @IsDefined()
  payload: unknown;

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
  @IsString()
  @Length(1, 256)
  requestId?: string | null;

  /** Days the payload is kept before it is purged (Svix's field); default the module's `payloadRetention`. */
  @IsOptional()
  @IsInt()
  @Min(1)
  payloadRetentionPeriod?: number | null;

  /** Send no earlier than this (a time in the past means now). */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'deliverAt must be a date and time' })
  deliverAt?: Date | null;
}
