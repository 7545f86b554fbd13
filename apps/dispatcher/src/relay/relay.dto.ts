import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, Max, Min } from 'class-validator';
import type { InboxRecord } from './relay.service.js';
import type { RelayReply } from './relay.types.js';

export class RelayInboxOut {
  @ApiProperty({ example: 'rly_3q2H1cV9xkq0Zb7yW1s8dGfE' })
  id: string;

  @ApiProperty({ description: 'Give this URL to an endpoint: requests to it (and to paths under it) reach `homing listen`', example: 'https://dispatcher.example.com/relay/rly_3q2H1cV9xkq0Zb7yW1s8dGfE' })
  url: string;
}

export class RelayReplyIn implements RelayReply {
  @ApiProperty({ description: "The local server's status; 502 when it could not be reached" })
  @IsInt()
  @Min(100)
  @Max(599)
  status: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'The response body, base64' })
  @IsOptional()
  @IsString()
  body?: string;

  @ApiProperty()
  @IsInt()
  @Min(0)
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
