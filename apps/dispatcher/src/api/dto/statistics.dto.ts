import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional } from 'class-validator';
import type { AttemptCounts, AttemptSeries, AttemptTotals, StatisticsPeriod } from '@homing/webhooks';
import { IsEventTypeName, IsUid, IsWindowEnd, IsWindowStart, MAX_STATISTICS_DAYS, STATISTICS_PERIODS } from '@homing/webhooks/internal';
import type { Principal } from '../auth/principal.js';
import { ToBoolean, ToList } from './common.dto.js';
import { BackgroundTaskOut } from './background-task.dto.js';

const PERIODS = Object.keys(STATISTICS_PERIODS) as StatisticsPeriod[];
const WINDOW = `at most ${MAX_STATISTICS_DAYS} days (and 5 minutes, for clocks that disagree)`;

/** Narrows attempt statistics to messages of some event types. */
class EventTypesQuery {
  @ApiPropertyOptional({ type: [String], description: 'Only attempts of messages of these event types (comma-separated or repeated)' })
  @IsOptional()
  @ToList()
  @IsArray()
  @IsEventTypeName({ each: true })
  event_types?: string[];
}

/** A true/false query parameter, Svix's default (true) when left out. */
const IsFlag = (name: string) => applyDecorators(IsOptional(), ToBoolean(), IsBoolean({ message: `${name} must be true or false` }));

/** `GET /stats/app/{app_id}/attempt` */
export class AppAttemptStatsQuery extends EventTypesQuery {
  @ApiPropertyOptional({ type: Date, nullable: true, description: `Count from this date (default: ${MAX_STATISTICS_DAYS} days before endDate); ${WINDOW} before endDate` })
  @IsWindowStart('endDate')
  startDate?: Date;

  @ApiPropertyOptional({ type: Date, nullable: true, description: 'Count until this date (default: now); not in the future' })
  @IsWindowEnd()
  endDate?: Date;

  @ApiPropertyOptional({ enum: PERIODS, nullable: true, default: 'OneDay', description: 'The period to count by; the window widens to whole periods (UTC)' })
  @IsOptional()
  @IsIn(PERIODS)
  period?: StatisticsPeriod;

  @ApiPropertyOptional({ description: 'Homing extension: only the attempts to this endpoint of the application (id or uid); 404 when it has none such' })
  @IsOptional()
  @IsUid()
  endpoint_id?: string;
}

export class AttemptStatisticsData {
  @ApiProperty({ type: [Number], nullable: true, description: 'Attempts answered with a 2xx, one entry per period' })
  successCount: number[];

  @ApiProperty({ type: [Number], nullable: true, description: 'Attempts that failed (any other answer, or none), one entry per period' })
  failureCount: number[];

  @ApiProperty({ type: [Number], nullable: true, description: 'Deliveries cancelled (cancel-msgs), one per period' })
  canceledCount: number[];
}

export class AttemptStatisticsResponse {
  @ApiProperty({ description: 'The start of the first period' })
  startDate: Date;

  @ApiProperty({ description: 'The end of the last period' })
  endDate: Date;

  @ApiProperty({ enum: PERIODS })
  period: StatisticsPeriod;

  @ApiProperty({ type: () => AttemptStatisticsData })
  data: AttemptStatisticsData;

  static from(series: AttemptSeries): AttemptStatisticsResponse {
    return {
      startDate: series.since,
      endDate: series.until,
      period: series.period,
      data: { successCount: series.success, failureCount: series.failure, canceledCount: series.canceled },
    };
  }
}

/** `GET /app/{app_id}/stats/attempts` */
export class AppStatsAttemptsQuery extends EventTypesQuery {
  @ApiPropertyOptional({ type: Date, description: `Count from this date (default: ${MAX_STATISTICS_DAYS} days before until); ${WINDOW} before until` })
  @IsWindowStart('until')
  since?: Date;

  @ApiPropertyOptional({ type: Date, description: 'Count until this date (default: now); not in the future' })
  @IsWindowEnd()
  until?: Date;
}

export class AppAttemptEventTypeStats {
  @ApiProperty()
  success: number;

  @ApiProperty()
  failure: number;

  @ApiProperty({ description: 'Deliveries cancelled (cancel-msgs)' })
  canceled: number;
}

export class AppAttemptStatsOut {
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/AppAttemptEventTypeStats' }, description: 'By event type name' })
  by_event_type: Record<string, AttemptCounts>;

  @ApiProperty()
  total_success: number;

  @ApiProperty()
  total_failure: number;

  @ApiProperty({ description: 'Deliveries cancelled (cancel-msgs)' })
  total_canceled: number;

  @ApiProperty()
  since: Date;

  @ApiProperty()
  until: Date;

  static from(totals: AttemptTotals): AppAttemptStatsOut {
    return {
      by_event_type: totals.byEventType,
      total_success: totals.success,
      total_failure: totals.failure,
      total_canceled: totals.canceled,
      since: totals.since,
      until: totals.until,
    };
  }
}

/** `GET /stats/endpoint/count` */
export class EndpointCountQuery {
  @ApiPropertyOptional({ default: true, description: 'Leave out endpoints that post to play.svix.com' })
  @IsFlag('exclude_svix_play')
  exclude_svix_play?: boolean;
}

export class EndpointCountOut {
  @ApiProperty({ description: 'Endpoints enabled' })
  active: number;

  @ApiProperty()
  disabled: number;
}

/** `GET /app/stats/count-active` */
export class CountActiveQuery extends EndpointCountQuery {
  @ApiPropertyOptional({ default: true, description: 'Count only enabled endpoints' })
  @IsFlag('exclude_disabled')
  exclude_disabled?: boolean;
}

export class ActiveAppCount {
  @ApiProperty({ description: 'Applications with at least one (enabled, by default) endpoint' })
  count: number;
}

export class AppUsageStatsIn {
  @ApiProperty({ description: `Count messages created from this date; ${WINDOW} before until` })
  @IsWindowStart('until', true)
  since: Date;

  @ApiProperty({ description: '... and before this date; not in the future' })
  @IsWindowEnd(true)
  until: Date;

  @ApiPropertyOptional({ type: [String], nullable: true, maxItems: 10_000, description: 'Application ids or uids (default, or empty: every application with messages in the window); 422 when none is found' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsUid({ each: true })
  appIds?: string[] | null;
}

export class AppUsageStatsOut extends BackgroundTaskOut {
  @ApiProperty({ type: [String], description: 'The appIds given that name no application' })
  unresolvedAppIds: string[];
}

/** Svix's sources of authentication that Homing has: its operator token, and the portal tokens it issues. */
const PERMISSION_SOURCES = ['RegionalAuthToken', 'SvixJwt'] as const;

export class WhoamiOut {
  @ApiProperty({ type: String, nullable: true, description: 'Always null: a Homing dispatcher is one environment' })
  envId: null;

  @ApiProperty({ type: String, nullable: true, description: "The application a portal token reaches; null for the operator's token" })
  appId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Always null: Homing has no stream applications' })
  streamAppId: null;

  @ApiProperty({ enum: PERMISSION_SOURCES, description: "`RegionalAuthToken`: the operator's token (HOMING_API_TOKEN); `SvixJwt`: a portal token" })
  permissionSource: (typeof PERMISSION_SOURCES)[number];

  @ApiProperty({ type: String, nullable: true, description: 'The session a portal token was issued for (`sessionId` of app-portal-access)' })
  sessionId: string | null;

  static from(principal: Principal): WhoamiOut {
    const portal = principal.kind === 'portal';
    return {
      envId: null,
      appId: portal ? principal.appId : null,
      streamAppId: null,
      permissionSource: portal ? 'SvixJwt' : 'RegionalAuthToken',
      sessionId: portal ? principal.sessionId : null,
    };
  }
}
