import { IsArray, IsBoolean, IsOptional } from 'class-validator';
import { IsDescription, IsEventTypeName, IsJsonObject, IsOmittable, IsShortText, IsText } from './validation.js';

export class EventTypeInput {
  @IsEventTypeName()
  name: string;

  @IsDescription()
  description: string;

  /** JSON schemas by version; `schemas['1'].examples[0]` is the example payload. */
  @IsOptional()
  @IsJsonObject()
  schemas?: Record<string, any> | null;

  @IsOmittable()
  @IsBoolean()
  archived?: boolean;

  @IsOmittable()
  @IsBoolean()
  deprecated?: boolean;

  @IsOptional()
  @IsShortText()
  featureFlag?: string | null;

  @IsOptional()
  @IsArray()
  @IsShortText({ each: true })
  featureFlags?: string[] | null;

  @IsOptional()
  @IsText(0, 256)
  groupName?: string | null;
}
