import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StatisticsService } from '@homing/webhooks';
import { API_PREFIX } from './api.constants.js';
import { ApiErrors } from './api-docs.decorators.js';
import { AppAccess, READ } from './auth/access.decorators.js';
import { BackgroundTasksService } from './background-tasks.service.js';
import { BackgroundTaskOut, TASKS } from './dto/background-task.dto.js';
import {
  ActiveAppCount,
  AppAttemptEventTypeStats,
  AppAttemptStatsOut,
  AppAttemptStatsQuery,
  AppStatsAttemptsQuery,
  AppUsageStatsIn,
  AppUsageStatsOut,
  AttemptStatisticsResponse,
  CountActiveQuery,
  EndpointCountOut,
  EndpointCountQuery,
} from './dto/statistics.dto.js';

/**
 * Svix's statistics: an application's attempts (its portal token may read them), and the counts and
 * aggregations over every application, which only the operator may ask for. The aggregations run as
 * background tasks of no one application (a portal token cannot see them).
 */
@ApiTags('Statistics')
@ApiErrors()
@Controller(`${API_PREFIX}/stats`)
export class StatisticsController {
  constructor(
    private readonly statistics: StatisticsService,
    private readonly tasks: BackgroundTasksService,
  ) {}

  @Get('app/:appId/attempt')
  @AppAccess(READ)
  @ApiOperation({
    summary: "The application's delivery attempts per period",
    description: `Succeeded and failed attempts (each retry counts), period by period, over the last 28 days or the window given (at most 28 days); of one endpoint with \`endpoint_id\` (a Homing extension).`,
  })
  @ApiOkResponse({ type: AttemptStatisticsResponse })
  async appAttempts(@Param('appId') appId: string, @Query() query: AppAttemptStatsQuery): Promise<AttemptStatisticsResponse> {
    const series = await this.statistics.attemptSeries(appId, {
      since: query.startDate,
      until: query.endDate,
      period: query.period,
      eventTypes: query.event_types,
      endpointId: query.endpoint_id,
    });
    return AttemptStatisticsResponse.from(series);
  }

  @Get('endpoint/count')
  @ApiOperation({ summary: 'Endpoints enabled and disabled, over every application' })
  @ApiOkResponse({ type: EndpointCountOut })
  async endpointCount(@Query() query: EndpointCountQuery): Promise<EndpointCountOut> {
    return this.statistics.endpointCounts({ excludeSvixPlay: query.exclude_svix_play ?? true });
  }

  @Post('usage/app')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Message destinations per application, as a background task',
    description:
      'A message destination is a message times an endpoint it was to be delivered to, for messages created within the window. ' +
      'The finished task\'s data is `{ appStats: [{ appId, appUid, messageDestinations }] }`: each application of `appIds` found, ' +
      'or every application with messages in the window.',
  })
  @ApiAcceptedResponse({ type: AppUsageStatsOut })
  async aggregateAppStats(@Body() body: AppUsageStatsIn): Promise<AppUsageStatsOut> {
    const named = body.appIds?.length ? await this.statistics.resolveApplications(body.appIds) : null;
    const task = await this.tasks.start(null, TASKS.applicationStats, async () => ({
      appStats: await this.statistics.messageDestinations({ since: body.since, until: body.until, appIds: named?.appIds }),
    }));
    return { ...BackgroundTaskOut.from(task), unresolvedAppIds: named?.unresolved ?? [] };
  }

  @Put('usage/event-types')
  @HttpCode(202)
  @ApiOperation({
    summary: 'The event types the endpoints of each application subscribe to, as a background task',
    description:
      'The finished task\'s data is `{ event_types: [{ appId, explicitlySubscribedEventTypes, hasCatchAllEndpoint }] }`, ' +
      'for every application with endpoints (disabled ones included).',
  })
  @ApiAcceptedResponse({ type: BackgroundTaskOut })
  async aggregateEventTypes(): Promise<BackgroundTaskOut> {
    const task = await this.tasks.start(null, TASKS.eventTypeAggregate, async () => ({ event_types: await this.statistics.eventTypeSubscriptions() }));
    return BackgroundTaskOut.from(task);
  }
}

/** The statistics under `/app`: declared before `/app/:appId` can take `stats` for an application. */
@ApiTags('Application')
@ApiErrors()
@ApiExtraModels(AppAttemptEventTypeStats)
@Controller(`${API_PREFIX}/app`)
export class ApplicationStatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get('stats/count-active')
  @ApiOperation({ summary: 'Applications with at least one endpoint (enabled, by default)' })
  @ApiOkResponse({ type: ActiveAppCount })
  async countActive(@Query() query: CountActiveQuery): Promise<ActiveAppCount> {
    return { count: await this.statistics.countActiveApplications({ excludeSvixPlay: query.exclude_svix_play ?? true, excludeDisabled: query.exclude_disabled ?? true }) };
  }

  @Get(':appId/stats/attempts')
  @AppAccess(READ)
  @ApiOperation({ summary: "The application's delivery attempts within a window, in total and by event type", description: 'Each retry counts; the window is at most 28 days.' })
  @ApiOkResponse({ type: AppAttemptStatsOut })
  async attempts(@Param('appId') appId: string, @Query() query: AppStatsAttemptsQuery): Promise<AppAttemptStatsOut> {
    return AppAttemptStatsOut.from(await this.statistics.attemptTotals(appId, { since: query.since, until: query.until, eventTypes: query.event_types }));
  }
}
