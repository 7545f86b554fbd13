import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AttemptsService, EndpointsService, RecoveryService, type EndpointEntity } from '@homing/webhooks';
import { mapPage } from '@homing/webhooks/internal';
import { API_PREFIX } from './api.constants.js';
import { ApiErrors } from './api-docs.decorators.js';
import { AppAccess, MANAGE, READ } from './auth/access.decorators.js';
import { BackgroundTasksService } from './background-tasks.service.js';
import { BackgroundTaskOut, TASKS } from './dto/background-task.dto.js';
import {
  EndpointHeadersIn,
  EndpointHeadersOut,
  EndpointHeadersPatchIn,
  EndpointIn,
  endpointInput,
  EndpointListQuery,
  EndpointOut,
  EndpointPatch,
  EndpointSecretOut,
  EndpointSecretRotateIn,
  EndpointStats,
  EndpointStatsQuery,
  EndpointUpdate,
  EventExampleIn,
  ListResponseEndpointOut,
  patchedHeaders,
  RecoverIn,
} from './dto/endpoint.dto.js';
import { BulkReplayIn, CancelMsgsIn, EndpointThrottleRateStatusOut, ReplayIn, RetryNowOut } from './dto/endpoint-operations.dto.js';
import { MessageOut } from './dto/message.dto.js';

/** Sending attempts by hand: resend, recover, retry now, send an example. */
const ATTEMPT = 'CreateAttempts' as const;

@ApiTags('Endpoint')
@ApiErrors()
@Controller(`${API_PREFIX}/app/:appId/endpoint`)
export class EndpointController {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly attempts: AttemptsService,
    private readonly recovery: RecoveryService,
    private readonly tasks: BackgroundTasksService,
  ) {}

  @Get()
  @AppAccess(READ)
  @ApiOperation({ summary: "List the application's endpoints" })
  @ApiOkResponse({ type: ListResponseEndpointOut })
  async list(@Param('appId') appId: string, @Query() query: EndpointListQuery): Promise<ListResponseEndpointOut> {
    return mapPage(await this.endpoints.page(appId, query), EndpointOut.from);
  }

  @Post()
  @HttpCode(201)
  @AppAccess(MANAGE)
  @ApiOperation({ summary: 'Create an endpoint', description: 'A secret of the default scheme (`HOMING_DEFAULT_SIGNATURE`) is generated unless one is given.' })
  @ApiCreatedResponse({ type: EndpointOut })
  async create(@Param('appId') appId: string, @Body() body: EndpointIn): Promise<EndpointOut> {
    return EndpointOut.from(await this.endpoints.create(appId, endpointInput(body)));
  }

  @Get(':endpointId')
  @AppAccess(READ)
  @ApiOperation({ summary: 'Get an endpoint by id or uid' })
  @ApiOkResponse({ type: EndpointOut })
  async get(@Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<EndpointOut> {
    return EndpointOut.from(await this.endpoints.get(appId, endpointId));
  }

  @Put(':endpointId')
  @AppAccess(MANAGE)
  @ApiOperation({ summary: 'Create or replace an endpoint', description: 'Creates it (201), with the path as its uid, when there is none.' })
  @ApiOkResponse({ type: EndpointOut })
  @ApiCreatedResponse({ type: EndpointOut })
  async upsert(
    @Param('appId') appId: string,
    @Param('endpointId') endpointId: string,
    @Body() body: EndpointUpdate,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EndpointOut> {
    const replacement = endpointInput({ description: '', eventTypes: null, channels: null, disabled: false, throttleRate: null, metadata: {}, signatureScheme: null, ...body });
    const { endpoint, created } = await this.endpoints.upsert(appId, endpointId, replacement);
    if (created) response.status(201);
    return EndpointOut.from(endpoint);
  }

  @Patch(':endpointId')
  @AppAccess(MANAGE)
  @ApiOperation({ summary: 'Change some fields of an endpoint' })
  @ApiOkResponse({ type: EndpointOut })
  async patch(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EndpointPatch): Promise<EndpointOut> {
    return EndpointOut.from(await this.endpoints.update(appId, endpointId, endpointInput(body)));
  }

  @Delete(':endpointId')
  @HttpCode(204)
  @AppAccess(MANAGE)
  @ApiOperation({ summary: 'Delete an endpoint with its delivery records' })
  @ApiNoContentResponse()
  async delete(@Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<void> {
    await this.endpoints.delete(appId, endpointId);
  }

  @Get(':endpointId/secret')
  @AppAccess('ViewEndpointSecret', 'ManageEndpointSecret', MANAGE)
  @ApiOperation({ summary: "Get the endpoint's signing secret" })
  @ApiOkResponse({ type: EndpointSecretOut })
  async getSecret(@Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<EndpointSecretOut> {
    return { key: await this.endpoints.getSecret(appId, endpointId) };
  }

  @Post(':endpointId/secret/rotate')
  @HttpCode(204)
  @AppAccess('ManageEndpointSecret', MANAGE)
  @ApiOperation({
    summary: "Rotate the endpoint's signing secret",
    description: 'The old secret keeps signing alongside the new one (two signatures in the header) for the grace period, 24 h by default.',
  })
  @ApiNoContentResponse()
  async rotateSecret(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EndpointSecretRotateIn): Promise<void> {
    const gracePeriod = body.gracePeriodSeconds == null ? undefined : body.gracePeriodSeconds * 1000;
    await this.endpoints.rotateSecret(appId, endpointId, { secret: body.key, gracePeriod });
  }

  @Get(':endpointId/headers')
  @AppAccess(READ)
  @ApiOperation({ summary: 'Get the extra headers sent with each delivery', description: 'Sensitive ones (e.g. authorization) are named, not shown.' })
  @ApiOkResponse({ type: EndpointHeadersOut })
  async getHeaders(@Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<EndpointHeadersOut> {
    return EndpointHeadersOut.from((await this.endpoints.get(appId, endpointId)).headers);
  }

  @Put(':endpointId/headers')
  @HttpCode(204)
  @AppAccess(MANAGE)
  @ApiOperation({ summary: 'Replace the extra headers' })
  @ApiNoContentResponse()
  async updateHeaders(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EndpointHeadersIn): Promise<void> {
    await this.endpoints.update(appId, endpointId, { headers: body.headers });
  }

  @Patch(':endpointId/headers')
  @HttpCode(204)
  @AppAccess(MANAGE)
  @ApiOperation({ summary: 'Set some headers, remove others (`deleteHeaders`, or a null value)' })
  @ApiNoContentResponse()
  async patchHeaders(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EndpointHeadersPatchIn): Promise<void> {
    const endpoint = await this.endpoints.get(appId, endpointId);
    await this.endpoints.update(appId, endpoint.id, { headers: patchedHeaders(endpoint.headers, body) });
  }

  @Post(':endpointId/recover')
  @HttpCode(202)
  @AppAccess(ATTEMPT, MANAGE)
  @ApiOperation({ summary: 'Resend every failed delivery of messages created since `since`', description: 'Runs as a background task.' })
  @ApiAcceptedResponse({ type: BackgroundTaskOut })
  async recover(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: RecoverIn): Promise<BackgroundTaskOut> {
    return this.inBackground(appId, endpointId, TASKS.endpointRecover, (endpoint) => this.recovery.recover(endpoint.appId, endpoint.id, body.since, body.until ?? undefined));
  }

  @Post(':endpointId/retry-now')
  @HttpCode(202)
  @AppAccess(ATTEMPT, MANAGE)
  @ApiOperation({
    summary: 'Homing extension: send now every delivery to the endpoint that is waiting on a retry',
    description:
      'Deliveries that failed at least once and wait for the next step of their retry schedule are attempted at once. A retry, not a reset: if it fails, the schedule goes on from where it was. Answers how many were brought forward.',
  })
  @ApiAcceptedResponse({ type: RetryNowOut })
  async retryNow(@Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<RetryNowOut> {
    return { retried: await this.recovery.retryNow(appId, endpointId) };
  }

  @Post(':endpointId/replay-missing')
  @HttpCode(202)
  @AppAccess(ATTEMPT, MANAGE)
  @ApiOperation({
    summary: 'Send the endpoint the messages created since `since` that it has no delivery of',
    description: 'Those its event types and channels accept, sent before it existed or subscribed. Runs as a background task.',
  })
  @ApiAcceptedResponse({ type: BackgroundTaskOut })
  async replayMissing(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: ReplayIn): Promise<BackgroundTaskOut> {
    return this.inBackground(appId, endpointId, TASKS.endpointReplay, (endpoint) => this.recovery.replayMissing(endpoint.appId, endpoint.id, body));
  }

  @Post(':endpointId/bulk-replay')
  @HttpCode(202)
  @AppAccess(ATTEMPT, MANAGE)
  @ApiOperation({
    summary: 'Resend the successful, failed and cancelled deliveries of messages created since `since`',
    description: 'Narrowed by event types, channel, tag, status and response class. Runs as a background task.',
  })
  @ApiAcceptedResponse({ type: BackgroundTaskOut })
  async bulkReplay(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: BulkReplayIn): Promise<BackgroundTaskOut> {
    return this.inBackground(appId, endpointId, TASKS.endpointBulkReplay, (endpoint) => this.recovery.bulkReplay(endpoint.appId, endpoint.id, BulkReplayIn.input(body)));
  }

  @Post(':endpointId/cancel-msgs')
  @HttpCode(204)
  @AppAccess(MANAGE)
  @ApiOperation({
    summary: 'Cancel the pending deliveries of messages created before `createdBefore`',
    description: 'They are never sent afterwards (unless replayed) and are listed as cancelled attempts; an attempt already under way finishes but is not retried.',
  })
  @ApiNoContentResponse()
  async cancelMsgs(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: CancelMsgsIn): Promise<void> {
    await this.recovery.cancel(appId, endpointId, body.createdBefore);
  }

  @Get(':endpointId/rate-limit-status')
  @AppAccess(READ)
  @ApiOperation({ summary: "The endpoint's throttling status", description: '`Ok` unless its rate limit is holding deliveries back now.' })
  @ApiOkResponse({ type: EndpointThrottleRateStatusOut })
  async throttlingStatus(@Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<EndpointThrottleRateStatusOut> {
    return EndpointThrottleRateStatusOut.from(await this.endpoints.throttlingStatus(appId, endpointId));
  }

  @Post(':endpointId/send-example')
  @HttpCode(202)
  @AppAccess(ATTEMPT, MANAGE)
  @ApiOperation({ summary: "Send the event type's example payload (`schemas[\"1\"].examples`) to this endpoint" })
  @ApiAcceptedResponse({ type: MessageOut })
  async sendExample(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EventExampleIn): Promise<MessageOut> {
    return MessageOut.from(await this.recovery.sendExample(appId, endpointId, body.eventType, body.exampleIndex), true);
  }

  @Get(':endpointId/stats')
  @AppAccess(READ)
  @ApiOperation({ summary: 'Deliveries to the endpoint by status' })
  @ApiOkResponse({ type: EndpointStats })
  async stats(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Query() query: EndpointStatsQuery): Promise<EndpointStats> {
    return EndpointStats.from(await this.attempts.endpointStats(appId, endpointId, query));
  }

  /** Starts sending to an endpoint (404 first if there is none) as a background task, reporting how many messages it sent. */
  private async inBackground(appId: string, endpointId: string, task: string, send: (endpoint: EndpointEntity) => Promise<number>): Promise<BackgroundTaskOut> {
    const endpoint = await this.endpoints.get(appId, endpointId);
    return BackgroundTaskOut.from(await this.tasks.start(endpoint.appId, task, async () => ({ messagesSent: await send(endpoint) })));
  }
}
