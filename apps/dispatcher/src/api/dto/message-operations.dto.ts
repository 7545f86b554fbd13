import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional } from 'class-validator';
import { IsEventTypeName, IsLabelList, IsText, IsUid } from '@homing/webhooks/internal';
import { ToList } from './common.dto.js';
import { MessageFilterQuery, MessageOut } from './message.dto.js';

/** How many messages one bulk expunge names at most: one purge batch. */
const MAX_BULK_EXPUNGE = 1000;

export class MessagePrecheckIn {
  @ApiProperty({ example: 'order.completed' })
  @IsEventTypeName()
  eventType: string;

  @ApiPropertyOptional({ type: [String], nullable: true, example: ['eu'] })
  @IsOptional()
  @IsLabelList()
  channels?: string[] | null;
}

export class MessagePrecheckOut {
  @ApiProperty({ description: 'Whether any enabled endpoint would be sent such a message' })
  active: boolean;
}

export class BulkExpungeContentsIn {
  @ApiPropertyOptional({ type: [String], default: [], maxItems: MAX_BULK_EXPUNGE, description: "Messages' ids or eventIds" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_BULK_EXPUNGE)
  @IsUid({ each: true })
  ids?: string[];
}

export type BulkExpungeStatus = 'expunged' | 'not-found';

export class BulkExpungeContentsOut {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', enum: ['expunged', 'not-found'] }, description: 'By id or eventId as given' })
  results: Record<string, BulkExpungeStatus>;

  static from(results: Map<string, BulkExpungeStatus>): BulkExpungeContentsOut {
    return { results: Object.fromEntries(results) };
  }
}

export class MessageRawPayloadOut {
  @ApiProperty({ description: 'The payload as stored and delivered, byte for byte', example: '{"id":"ord_1","total":1250}' })
  payload: string;
}

/** The listing's paging, event types and `after`; channels, any of several. */
export class MessageEventsQuery extends PickType(MessageFilterQuery, ['limit', 'iterator', 'event_types', 'after']) {
  @ApiPropertyOptional({ type: [String], description: 'Messages on any of these channels (comma-separated or repeated)' })
  @IsOptional()
  @ToList()
  @IsArray()
  @ArrayMaxSize(10)
  @IsText(1, 128, { each: true })
  channels?: string[];
}

export class MessageEventsOut {
  @ApiProperty({ type: [MessageOut] })
  data: MessageOut[];

  @ApiProperty({ description: 'Pass as `iterator` to read on from the last message given (empty: from the start)' })
  iterator: string;

  @ApiProperty({ description: 'No more messages for now' })
  done: boolean;
}
