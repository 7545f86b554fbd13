import { IsArray, IsBoolean, IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { IsDescription, IsEventTypeName } from '../validation.js';

export class EventTypeInput {
  @IsEventTypeName()
  name: string;

  @IsDescription()
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

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @Length(1, 256, { each: true })
  featureFlags?: string[] | null;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  groupName?: string | null;
}
