import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EventTypesService, NotFoundError } from '@homing/webhooks';
import { mapPage } from '@homing/webhooks/internal';
import { API_PREFIX } from './api.constants.js';
import { ApiErrors } from './api-docs.decorators.js';
import { PortalAccess } from './auth/access.decorators.js';
import {
  EventTypeDeleteQuery,
  EventTypeIn,
  EventTypeListQuery,
  EventTypeOut,
  EventTypePatch,
  EventTypeUpdate,
  ListResponseEventTypeOut,
} from './dto/event-type.dto.js';

/** The catalogue: portal tokens may read it, only the operator changes it. */
@ApiTags('Event Type')
@ApiErrors()
@Controller(`${API_PREFIX}/event-type`)
export class EventTypeController {
  constructor(private readonly eventTypes: EventTypesService) {}

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
