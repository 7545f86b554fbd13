import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type ApplicationEntity, EndpointsService, NotFoundError } from '@homing/webhooks';
import { mapPage, OperationalEventsService } from '@homing/webhooks/internal';
import { API_PREFIX } from './api.constants.js';
import { ApiErrors } from './api-docs.decorators.js';
import { OrderedListQuery } from './dto/common.dto.js';
import { endpointInput } from './dto/endpoint.dto.js';
import {
  ListResponseOperationalWebhookEndpointOut,
  OperationalWebhookEndpointHeadersIn,
  OperationalWebhookEndpointHeadersOut,
  OperationalWebhookEndpointIn,
  OperationalWebhookEndpointOut,
  OperationalWebhookEndpointSecretIn,
  OperationalWebhookEndpointSecretOut,
  OperationalWebhookEndpointUpsertIn,
} from './dto/operational-webhook.dto.js';

/**
 * Where the operator's operational events (`endpoint.*`, `message.attempt.*`, `background_task.finished`)
 * are sent. They are the endpoints of the operational application (HOMING_OPERATIONAL_APP, else a
 * reserved one made with the first of them), so they are signed, retried and logged as any endpoint.
 * Operator token only: no access decorator.
 */
@ApiTags('Operational webhook endpoint')
@ApiErrors()
@Controller(`${API_PREFIX}/operational-webhook/endpoint`)
export class OperationalWebhookController {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly operational: OperationalEventsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List the operational webhook endpoints' })
  @ApiOkResponse({ type: ListResponseOperationalWebhookEndpointOut })
  async list(@Query() query: OrderedListQuery): Promise<ListResponseOperationalWebhookEndpointOut> {
    const application = await this.operational.application();
    if (!application) return { data: [], iterator: null, prevIterator: null, done: true };
    return mapPage(await this.endpoints.page(application.id, query), OperationalWebhookEndpointOut.from);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an operational webhook endpoint', description: 'A secret of the default scheme (`HOMING_DEFAULT_SIGNATURE`) is generated unless one is given.' })
  @ApiCreatedResponse({ type: OperationalWebhookEndpointOut })
  async create(@Body() body: OperationalWebhookEndpointIn): Promise<OperationalWebhookEndpointOut> {
    const application = (await this.operational.application({ create: true }))!;
    return OperationalWebhookEndpointOut.from(await this.endpoints.create(application.id, endpointInput(body)));
  }

  @Get(':operationalEndpointId')
  @ApiOperation({ summary: 'Get an operational webhook endpoint by id or uid' })
  @ApiOkResponse({ type: OperationalWebhookEndpointOut })
  async get(@Param('operationalEndpointId') endpointId: string): Promise<OperationalWebhookEndpointOut> {
    return OperationalWebhookEndpointOut.from(await this.endpoints.get((await this.application(endpointId)).id, endpointId));
  }

  @Put(':operationalEndpointId')
  @ApiOperation({ summary: 'Create or replace an operational webhook endpoint', description: 'Creates it, with the path as its uid, when there is none.' })
  @ApiOkResponse({ type: OperationalWebhookEndpointOut })
  async upsert(@Param('operationalEndpointId') endpointId: string, @Body() body: OperationalWebhookEndpointUpsertIn): Promise<OperationalWebhookEndpointOut> {
    const replacement = endpointInput({ description: '', eventTypes: null, disabled: false, throttleRate: null, metadata: {}, ...body });
    const application = (await this.operational.application({ create: true }))!;
    return OperationalWebhookEndpointOut.from((await this.endpoints.upsert(application.id, endpointId, replacement)).endpoint);
  }

  @Delete(':operationalEndpointId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an operational webhook endpoint with its delivery records' })
  @ApiNoContentResponse()
  async delete(@Param('operationalEndpointId') endpointId: string): Promise<void> {
    await this.endpoints.delete((await this.application(endpointId)).id, endpointId);
  }

  @Get(':operationalEndpointId/secret')
  @ApiOperation({ summary: "Get the operational webhook endpoint's signing secret" })
  @ApiOkResponse({ type: OperationalWebhookEndpointSecretOut })
  async getSecret(@Param('operationalEndpointId') endpointId: string): Promise<OperationalWebhookEndpointSecretOut> {
    return { key: await this.endpoints.getSecret((await this.application(endpointId)).id, endpointId) };
  }

  @Post(':operationalEndpointId/secret/rotate')
  @HttpCode(204)
  @ApiOperation({
    summary: "Rotate the operational webhook endpoint's signing secret",
    description: 'The old secret keeps signing alongside the new one for the grace period, 24 h by default.',
  })
  @ApiNoContentResponse()
  async rotateSecret(@Param('operationalEndpointId') endpointId: string, @Body() body: OperationalWebhookEndpointSecretIn): Promise<void> {
    const gracePeriod = body.gracePeriodSeconds == null ? undefined : body.gracePeriodSeconds * 1000;
    await this.endpoints.rotateSecret((await this.application(endpointId)).id, endpointId, { secret: body.key, gracePeriod });
  }

  @Get(':operationalEndpointId/headers')
  @ApiOperation({ summary: 'Get the extra headers sent with each operational webhook', description: 'Sensitive ones (e.g. authorization) are named, not shown.' })
  @ApiOkResponse({ type: OperationalWebhookEndpointHeadersOut })
  async getHeaders(@Param('operationalEndpointId') endpointId: string): Promise<OperationalWebhookEndpointHeadersOut> {
    return OperationalWebhookEndpointHeadersOut.from((await this.endpoints.get((await this.application(endpointId)).id, endpointId)).headers);
  }

  @Put(':operationalEndpointId/headers')
  @HttpCode(204)
  @ApiOperation({ summary: 'Replace the extra headers sent with each operational webhook' })
  @ApiNoContentResponse()
  async setHeaders(@Param('operationalEndpointId') endpointId: string, @Body() body: OperationalWebhookEndpointHeadersIn): Promise<void> {
    await this.endpoints.update((await this.application(endpointId)).id, endpointId, { headers: body.headers });
  }

  /** The operational application; before it exists no endpoint of it does either. */
  private async application(endpointId: string): Promise<ApplicationEntity> {
    const application = await this.operational.application();
    if (!application) throw new NotFoundError('endpoint', endpointId);
    return application;
  }
}
