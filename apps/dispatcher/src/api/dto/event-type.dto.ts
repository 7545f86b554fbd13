import { ApiProperty, ApiPropertyOptional, OmitType, PartialType, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsOptional } from 'class-validator';
import { type EventTypeEntity } from '@homing/webhooks';
import { IsDescription, IsEventTypeName, IsJsonObject, IsOmittable, IsShortText, IsText, MAX_STORED_JSON_DEPTH } from '@homing/webhooks/internal';
import { ListResponse, OrderedListQuery, ToBoolean } from './common.dto.js';

const SCHEMAS: ApiPropertyOptions = {
  description: `JSON schemas by version, nested at most ${MAX_STORED_JSON_DEPTH} levels; \`schemas["1"].examples[0]\` is what send-example sends`,
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
  @IsOmittable()
  @IsBoolean()
  archived?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOmittable()
  @IsBoolean()
  deprecated?: boolean;

  @ApiPropertyOptional(SCHEMAS)
  @IsOptional()
  @IsJsonObject()
  schemas?: Record<string, any> | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'orders', maxLength: 256 })
  @IsOptional()
  @IsText(0, 256)
  groupName?: string | null;

  @ApiPropertyOptional(FEATURE_FLAGS)
  @IsOptional()
  @IsArray()
  @IsShortText({ each: true })
  featureFlags?: string[] | null;

  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 256, deprecated: true, description: 'Older single form of `featureFlags`' })
  @IsOptional()
  @IsShortText()
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
