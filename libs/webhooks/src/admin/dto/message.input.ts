import { ArrayMaxSize, IsArray, IsDefined, IsOptional, IsString, Length } from 'class-validator';
import { IsEventTypeName, IsUid } from '../validation.js';

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
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  channels?: string[] | null;
}
