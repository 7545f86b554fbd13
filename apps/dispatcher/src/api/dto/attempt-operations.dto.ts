import { ApiProperty, PickType } from '@nestjs/swagger';
import type { AttemptCount, AttemptHeaders } from '@homing/webhooks';
import { AttemptListByEndpointQuery } from './attempt.dto.js';

/** The filters of list-by-endpoint, without paging or content. */
export class AttemptCountQuery extends PickType(AttemptListByEndpointQuery, ['status', 'status_code_class', 'channel', 'tag', 'before', 'after', 'event_types']) {}

export class CountOut {
  @ApiProperty({ description: 'The attempts matching the query, up to a ceiling' })
  count: number;

  @ApiProperty({ description: 'The ceiling was reached: there are more than `count`' })
  approximated: boolean;

  static from(count: AttemptCount): CountOut {
    return { count: count.count, approximated: count.approximated };
  }
}

export class MessageAttemptHeadersOut {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'The request headers the attempt sent; sensitive values masked' })
  sentHeaders: Record<string, string>;

  @ApiProperty({ type: [String], description: 'The headers whose values are masked: signatures and secret endpoint headers' })
  sensitive: string[];

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
    nullable: true,
    description: "The response's headers as [name, value] pairs, in order; null when no response came (or it was expunged)",
  })
  responseHeaders: [string, string][] | null;

  /** An attempt made before headers were kept shows none. */
  static from(headers: AttemptHeaders | null): MessageAttemptHeadersOut {
    return { sentHeaders: headers?.sent ?? {}, sensitive: headers?.sensitive ?? [], responseHeaders: headers?.response ?? null };
  }
}
