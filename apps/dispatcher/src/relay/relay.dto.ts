import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, ValidateBy } from 'class-validator';
import { IsIntIn, isHeaderValue } from '@homing/webhooks/internal';
import { INT32_MAX } from '../api/dto/common.dto.js';
import type { InboxRecord } from './relay.service.js';
import type { RelayReply } from './relay.types.js';

export class RelayInboxOut {
  @ApiProperty({ example: 'rly_3q2H1cV9xkq0Zb7yW1s8dGfE' })
  id: string;

  @ApiProperty({ description: 'Give this URL to an endpoint: requests to it (and to paths under it) reach `homing listen`', example: 'https://dispatcher.example.com/relay/rly_3q2H1cV9xkq0Zb7yW1s8dGfE' })
  url: string;
}

/** Headers whose values the inbox can set on its answer (Node throws on any other). */
const IsHeaderValues = () =>
  ValidateBy({
    name: 'isHeaderValues',
    validator: {
      validate: (v) => typeof v === 'object' && v !== null && Object.values(v).every(isHeaderValue),
      defaultMessage: (a) => `${a?.property} must be an object of header values (no line breaks, control characters or characters past U+00FF)`,
    },
  });

export class RelayReplyIn implements RelayReply {
  @ApiProperty({ description: "The local server's status; 502 when it could not be reached" })
  @IsIntIn(100, 599)
  status: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsHeaderValues()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'The response body, base64' })
  @IsOptional()
  @IsString()
  body?: string;

  @ApiProperty()
  @IsIntIn(0, INT32_MAX)
  durationMs: number;

  @ApiPropertyOptional({ description: 'Why the local server gave no answer' })
  @IsOptional()
  @IsString()
  error?: string;
}

export class RelayRecordOut {
  @ApiProperty()
  id: string;

  @ApiProperty()
  receivedAt: string;

  @ApiProperty()
  method: string;

  @ApiProperty({ description: 'What followed the inbox id in the URL' })
  path: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  headers: Record<string, string | string[]>;

  @ApiProperty({ description: 'The body as received (UTF-8)' })
  body: string;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'What the listener answered: `{ status, durationMs, error? }`; null while none' })
  response: Omit<RelayReply, 'body'> | null;

  static from({ request, reply }: InboxRecord): RelayRecordOut {
    return { ...request, body: Buffer.from(request.body, 'base64').toString('utf8'), response: reply };
  }
}

export class RelayHistoryOut {
  @ApiProperty({ type: [RelayRecordOut], description: 'Newest first' })
  data: RelayRecordOut[];
}
