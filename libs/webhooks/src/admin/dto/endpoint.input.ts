import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, IsUrl, Length, MaxLength, Min } from 'class-validator';
import { IsEventTypePattern, IsUid, IsWebhookSecret } from '../validation.js';

export class EndpointInput {
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'url must be an http or https URL' })
  @MaxLength(2048)
  url: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  description?: string;

  /** Event types to receive; a trailing `.*` matches a subtree. Leave out to receive every type. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsEventTypePattern({ each: true })
  filterTypes?: string[] | null;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  channels?: string[] | null;

  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @IsOptional()
  @IsUid()
  uid?: string | null;

  /** Leave out to have a `whsec_` secret generated. */
  @IsOptional()
  @IsWebhookSecret()
  secret?: string;

  @IsOptional()
  @IsObject()
  headers?: Record<string, string> | null;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, string> | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  rateLimit?: number | null;
}
