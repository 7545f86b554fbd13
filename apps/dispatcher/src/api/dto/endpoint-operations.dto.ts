import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional } from 'class-validator';
import type { BulkReplayInput } from '@homing/webhooks';
import { IsDateTime, IsEventTypeName, IsReplaySince, IsReplayUntil, IsText, MAX_REPLAY_DAYS, STATUS_CODE_CLASSES, ToDate } from '@homing/webhooks/internal';
import { deliveryStatusFilter } from './attempt.dto.js';

export class ReplayIn {
  @ApiProperty({ description: `Messages created since then (at most ${MAX_REPLAY_DAYS} days before \`until\`)` })
  @ToDate()
  @IsDateTime()
  @IsReplaySince()
  since: Date;

  @ApiPropertyOptional({ description: '... and before this; default now', type: Date, nullable: true })
  @IsOptional()
  @ToDate()
  @IsDateTime()
  @IsReplayUntil()
  until?: Date | null;
}

export class BulkReplayIn extends ReplayIn {
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'Messages of any of these event types', example: ['order.completed'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsEventTypeName({ each: true })
  eventTypes?: string[] | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 128, description: 'Messages sent on this channel' })
  @IsOptional()
  @IsText(1, 128)
  channel?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 128, description: 'Messages carrying this tag' })
  @IsOptional()
  @IsText(1, 128)
  tag?: string | null;

  @ApiPropertyOptional({
    enum: [0, 1, 2, 3, 4],
    nullable: true,
    description: 'Deliveries in this status: 0 success, 2 fail, 4 canceled (1 pending and 3 sending are still under way: none is replayed)',
  })
  @IsOptional()
  @IsIn([0, 1, 2, 3, 4])
  status?: number | null;

  @ApiPropertyOptional({ enum: STATUS_CODE_CLASSES, nullable: true, description: "Deliveries whose last attempt's response is of this class; 0: none came" })
  @IsOptional()
  @IsIn(STATUS_CODE_CLASSES)
  statusCodeClass?: number | null;

  /** The library's selection: the numeric status as a delivery status. */
  static input(body: BulkReplayIn): BulkReplayInput {
    return { ...body, status: body.status == null ? null : deliveryStatusFilter(body.status) };
  }
}

export class CancelMsgsIn {
  @ApiProperty({ description: 'Cancel the deliveries still owed of messages created before this' })
  @ToDate()
  @IsDateTime()
  createdBefore: Date;
}

const THROTTLE_STATUSES = ['Ok', 'RateLimited'];

export class EndpointThrottleRateStatusOut {
  @ApiProperty({ enum: THROTTLE_STATUSES, description: '`Ok` unless the rate limit is holding deliveries back now' })
  status: string;

  @ApiProperty({ type: Date, nullable: true, description: 'When throttling started for this endpoint, if currently throttled' })
  throttledSince: Date | null;

  @ApiProperty({ type: Number, nullable: true, description: "Homing's addition: the deliveries per second the endpoint is held to (its own, else its application's); null: no limit" })
  throttleRate: number | null;

  static from({ rateLimit, throttledSince }: { rateLimit: number | null; throttledSince: Date | null }): EndpointThrottleRateStatusOut {
    return { status: throttledSince ? 'RateLimited' : 'Ok', throttledSince, throttleRate: rateLimit };
  }
}

/** Homing's retry-now: how many deliveries waiting on a retry were made due now. */
export class RetryNowOut {
  @ApiProperty({ description: 'The deliveries waiting on a scheduled retry that were made due now' })
  retried: number;
}
