import { ApiProperty, ApiPropertyOptional, OmitType, PartialType, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { IsDescription, IsEventTypeName, type EventTypeEntity } from '@homing/webhooks';
import { ListResponse, OrderedListQuery, ToBoolean } from './common.dto.js';

const SCHEMAS: ApiPropertyOptions = {
  description: 'JSON schemas by version; `schemas["1"].examples[0]` is what send-example sends',
  type: 'object',
  additionalProperties: true,
  nullable: true,
  example: { '1': { type: 'object', properties: { id: { type: 'string' } }, examples: [{ id: 'ord_1' }] } },
};
const FEATURE_FLAGS: ApiPropertyOptions = { type: [String], nullable: true, description: 'Stored and returned; portals are not filtered by them' };

export class EventTypeIn {
  @ApiProperty({ example: 'order.completed', description: 'Letters, digits, `-`, `_` and `.`' })
  @IsEventTypeName()
  name: string;

  @ApiProperty({ example: 'An order was paid for' })
  @IsDescription()
  description: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  archived?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  deprecated?: boolean;

  @ApiPropertyOptional(SCHEMAS)
  @IsOptional()
  @IsObject()
  schemas?: Record<string, any> | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'orders' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  groupName?: string | null;

  @ApiPropertyOptional(FEATURE_FLAGS)
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @Length(1, 256, { each: true })
  featureFlags?: string[] | null;

  @ApiPropertyOptional({ type: String, nullable: true, deprecated: true, description: 'Older single form of `featureFlags`' })
  @IsOptional()
  @IsString()
  featureFlag?: string | null;
}

/** PUT: the name is in the path. */
export class EventTypeUpdate extends OmitType(EventTypeIn, ['name'] as const) {}

/** Only the fields given change; `null` clears an optional one. */
export class EventTypePatch extends PartialType(EventTypeUpdate, { skipNullProperties: false }) {}

export class EventTypeOut {
  @ApiProperty()
  name: string;

  @ApiProperty()
  description: string;

  @ApiProperty()
  archived: boolean;

  @ApiProperty()
  deprecated: boolean;

  @ApiProperty({ ...SCHEMAS, description: 'Left out of listings unless `with_content=true`' })
  schemas: Record<string, any> | null;

  @ApiProperty({ type: String, nullable: true })
  groupName: string | null;

  @ApiProperty(FEATURE_FLAGS)
  featureFlags: string[] | null;

  @ApiProperty({ type: String, nullable: true, deprecated: true })
  featureFlag: string | null;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;

  static from(eventType: EventTypeEntity, withSchemas = true): EventTypeOut {
    return {
      name: eventType.name,
      description: eventType.description,
      archived: eventType.archived,
      deprecated: eventType.deprecated,
      schemas: withSchemas ? eventType.schemas : null,
      groupName: eventType.groupName,
      featureFlags: eventType.featureFlags,
      featureFlag: eventType.featureFlag,
      createdAt: eventType.createdAt,
      updatedAt: eventType.updatedAt,
    };
  }
}

export class ListResponseEventTypeOut extends ListResponse(EventTypeOut) {}

export class EventTypeListQuery extends OrderedListQuery {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_archived?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Include the schemas' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  with_content?: boolean;
}

export class EventTypeDeleteQuery {
  @ApiPropertyOptional({ default: false, description: 'Delete for good instead of archiving' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  expunge?: boolean;
}
