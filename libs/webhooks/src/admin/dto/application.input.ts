import { IsOptional, IsString, Length } from 'class-validator';
import { IsRateLimit, IsStringMap, IsUid } from '../validation.js';

export class ApplicationInput {
  @IsString()
  @Length(1, 256)
  name: string;

  @IsOptional()
  @IsUid()
  uid?: string | null;

  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string>;

  @IsOptional()
  @IsRateLimit()
  rateLimit?: number | null;
}
