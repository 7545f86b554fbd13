import { IsBoolean, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsEventTypeName } from '../validation.js';

export class EventTypeInput {
  @IsEventTypeName()
  name: string;

  @IsString()
  @MaxLength(4096)
  description: string;

  /** JSON schemas by version; `schemas['1'].examples[0]` is the example payload. */
  @IsOptional()
  @IsObject()
  schemas?: Record<string, any> | null;

  @IsOptional()
  @IsBoolean()
  archived?: boolean;

  @IsOptional()
  @IsBoolean()
  deprecated?: boolean;

  @IsOptional()
  @IsString()
  featureFlag?: string | null;
}
