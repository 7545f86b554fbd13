import { IsInt, IsObject, IsOptional, IsString, Length, Min } from 'class-validator';
import { IsUid } from '../validation.js';

export class ApplicationInput {
  @IsString()
  @Length(1, 256)
  name: string;

  @IsOptional()
  @IsUid()
  uid?: string | null;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, string>;

  @IsOptional()
  @IsInt()
  @Min(1)
  rateLimit?: number | null;
}
