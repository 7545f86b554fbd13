import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EventTypesService, NotFoundError } from '@homing/webhooks';
import { mapPage } from '@homing/webhooks/internal';
import { API_PREFIX } from './api.constants.js';
import { ApiErrors } from './api-docs.decorators.js';
import { PortalAccess } from './auth/access.decorators.js';
import { BackgroundTasksService } from './background-tasks.service.js';
import { BackgroundTaskOut, TASKS } from './dto/background-task.dto.js';
import {
  EventTypeDeleteQuery,
  EventTypeIn,
  EventTypeListQuery,
  EventTypeOut,
  EventTypePatch,
  EventTypeUpdate,
  ListResponseEventTypeOut,
} from './dto/event-type.dto.js';
import { EventTypeImportOpenApiIn, EventTypeImportOpenApiOut, RetryScheduleInOut } from './dto/event-type-operations.dto.js';

/** The catalogue: portal tokens may read it, only the operator changes it. */
@ApiTags('Event Type')
@ApiErrors()
@Controller(`${API_PREFIX}/event-type`)
export class EventTypeController {
  constructor(
    private readonly eventTypes: EventTypesService,
    private readonly tasks: BackgroundTasksService,
  ) {}

  @Get()
  @PortalAccess()
  @ApiOperation({ summary: 'List event types', description: 'Archived ones only with `include_archived=true`; schemas only with `with_content=true`.' })
  @ApiOkResponse({ type: ListResponseEventTypeOut })
  async list(@Query() query: EventTypeListQuery): Promise<ListResponseEventTypeOut> {
    const page = await this.eventTypes.page({ limit: query.limit, iterator: query.iterator, order: query.order, includeArchived: query.include_archived });
    return mapPage(page, (eventType) => EventTypeOut.from(eventType, query.with_content ?? false));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an event type' })
  @ApiCreatedResponse({ type: EventTypeOut })
  async create(@Body() body: EventTypeIn): Promise<EventTypeOut> {
    return EventTypeOut.from(await this.eventTypes.create(body));
  }

  @Post('import/openapi')
  @HttpCode(200)
  @ApiOperation({
    summary: "Create or update event types from an OpenAPI document's webhooks",
    description:
      'Each webhook of `webhooks` (or `x-webhooks`) is an event type named by its key: description, schema (local `$ref`s inlined), examples, ' +
      '`deprecated`, `x-svix-group-name`, `x-svix-feature-flags`. Types it names are unarchived; `replaceAll` archives the others. ' +
      'Give the document as `spec` (JSON) or `specRaw` (YAML or JSON text): neither or both is a 400.',
  })
  @ApiOkResponse({ type: EventTypeImportOpenApiOut })
  async importOpenApi(@Body() body: EventTypeImportOpenApiIn): Promise<EventTypeImportOpenApiOut> {
    if ((body.spec === undefined || body.spec === null) === (body.specRaw === undefined || body.specRaw === null)) {
      throw new BadRequestException('give the OpenAPI document as either spec (JSON) or specRaw (YAML or JSON text), not both and not neither');
    }
    return EventTypeImportOpenApiOut.from(await this.eventTypes.importOpenApi(body));
  }

  @Post('export/openapi')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Export the catalogue as an OpenAPI 3.1 document',
    description: "Runs as a background task (`sdk.generate`); once finished, its `data.spec` is the document, whose `webhooks` import back to the same types. Archived types are left out.",
  })
  @ApiAcceptedResponse({ type: BackgroundTaskOut })
  async exportOpenApi(): Promise<BackgroundTaskOut> {
    return BackgroundTaskOut.from(await this.tasks.start(null, TASKS.sdkGenerate, async () => ({ spec: await this.eventTypes.exportOpenApi() })));
  }

  @Get(':name/retry-schedule')
  @ApiOperation({ summary: "Get the event type's own retry schedule", description: "null: its messages follow the dispatcher's HOMING_RETRY_SCHEDULE." })
  @ApiOkResponse({ type: RetryScheduleInOut })
  async getRetrySchedule(@Param('name') name: string): Promise<RetryScheduleInOut> {
    return RetryScheduleInOut.from(await this.eventTypes.getRetrySchedule(name));
  }

  @Put(':name/retry-schedule')
  @ApiOperation({
    summary: 'Set the retry schedule of messages of this event type',
    description: "Replaces the dispatcher's HOMING_RETRY_SCHEDULE for them from their next failed attempt on; null goes back to it.",
  })
  @ApiOkResponse({ type: RetryScheduleInOut })
  async setRetrySchedule(@Param('name') name: string, @Body() body: RetryScheduleInOut): Promise<RetryScheduleInOut> {
    return RetryScheduleInOut.from(await this.eventTypes.setRetrySchedule(name, RetryScheduleInOut.toMs(body)));
  }

  @Get(':name')
  @PortalAccess()
  @ApiOperation({ summary: 'Get an event type' })
  @ApiOkResponse({ type: EventTypeOut })
  async get(@Param('name') name: string): Promise<EventTypeOut> {
    return EventTypeOut.from(await this.eventTypes.get(name));
  }

  @Put(':name')
  @ApiOperation({ summary: 'Create or replace an event type' })
  @ApiOkResponse({ type: EventTypeOut })
  @ApiCreatedResponse({ type: EventTypeOut })
  async upsert(@Param('name') name: string, @Body() body: EventTypeUpdate, @Res({ passthrough: true }) response: Response): Promise<EventTypeOut> {
    const replacement = { archived: false, deprecated: false, schemas: null, groupName: null, featureFlags: null, featureFlag: null, ...body };
    try {
      return EventTypeOut.from(await this.eventTypes.update(name, replacement));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    response.status(201);
    return EventTypeOut.from(await this.eventTypes.create({ ...replacement, name }));
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Change some fields of an event type' })
  @ApiOkResponse({ type: EventTypeOut })
  async patch(@Param('name') name: string, @Body() body: EventTypePatch): Promise<EventTypeOut> {
    return EventTypeOut.from(await this.eventTypes.update(name, body));
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Archive an event type (`expunge=true`: delete it)', description: 'Messages of an archived type are still delivered.' })
  @ApiNoContentResponse()
  async delete(@Param('name') name: string, @Query() query: EventTypeDeleteQuery): Promise<void> {
    if (query.expunge) await this.eventTypes.expunge(name);
    else await this.eventTypes.archive(name);
  }
}
