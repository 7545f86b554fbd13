import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApplicationsService, ConflictError, NotFoundError } from '@homing/webhooks';
import { mapPage } from '@homing/webhooks/internal';
import { API_PREFIX } from './api.constants.js';
import { applicationOrCreate } from './application-lookup.js';
import { ApiErrors } from './api-docs.decorators.js';
import { AppAccess, READ } from './auth/access.decorators.js';
import { PortalTokensService } from './auth/portal-tokens.service.js';
import { BackgroundTasksService } from './background-tasks.service.js';
import {
  ApplicationIn,
  applicationInput,
  ApplicationListQuery,
  ApplicationOut,
  ApplicationPatch,
  CreateApplicationQuery,
  ListResponseApplicationOut,
} from './dto/application.dto.js';

@ApiTags('Application')
@ApiErrors()
@Controller(`${API_PREFIX}/app`)
export class ApplicationController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly portalTokens: PortalTokensService,
    private readonly backgroundTasks: BackgroundTasksService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List applications' })
  @ApiOkResponse({ type: ListResponseApplicationOut })
  async list(@Query() query: ApplicationListQuery): Promise<ListResponseApplicationOut> {
    const page = await this.applications.page({
      limit: query.limit,
      iterator: query.iterator,
      order: query.order,
      excludeAppsWithNoEndpoints: query.exclude_apps_with_no_endpoints,
      excludeAppsWithDisabledEndpoints: query.exclude_apps_with_disabled_endpoints,
    });
    return mapPage(page, ApplicationOut.from);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an application', description: 'With `get_if_exists=true`, an existing application with the same `uid` is returned (200) instead of a 409.' })
  @ApiCreatedResponse({ type: ApplicationOut })
  @ApiOkResponse({ type: ApplicationOut, description: 'It existed (`get_if_exists=true`)' })
  async create(@Body() body: ApplicationIn, @Query() query: CreateApplicationQuery, @Res({ passthrough: true }) response: Response): Promise<ApplicationOut> {
    const existing = query.get_if_exists && body.uid ? await this.findByUid(body.uid) : null;
    if (existing) {
      response.status(200);
      return existing;
    }
    try {
      return ApplicationOut.from(await this.applications.create(applicationInput(body)));
    } catch (error) {
      const created = error instanceof ConflictError && query.get_if_exists && body.uid ? await this.findByUid(body.uid) : null;
      if (!created) throw error;
      response.status(200);
      return created;
    }
  }

  @Get(':appId')
  @AppAccess(READ)
  @ApiOperation({ summary: 'Get an application by id or uid' })
  @ApiOkResponse({ type: ApplicationOut })
  async get(@Param('appId') appId: string): Promise<ApplicationOut> {
    return ApplicationOut.from(await this.applications.get(appId));
  }

  @Put(':appId')
  @ApiOperation({ summary: 'Create or replace an application', description: 'Creates it (201), with the path as its uid, when there is none.' })
  @ApiOkResponse({ type: ApplicationOut })
  @ApiCreatedResponse({ type: ApplicationOut })
  async upsert(@Param('appId') appId: string, @Body() body: ApplicationIn, @Res({ passthrough: true }) response: Response): Promise<ApplicationOut> {
    const replacement = applicationInput({ throttleRate: null, metadata: {}, ...body });
    if (await this.findByIdOrUid(appId)) return ApplicationOut.from(await this.applications.update(appId, replacement));
    response.status(201);
    return ApplicationOut.from(await applicationOrCreate(this.applications, appId, { ...body, uid: body.uid ?? appId }, ['body']));
  }

  @Patch(':appId')
  @ApiOperation({ summary: 'Change some fields of an application' })
  @ApiOkResponse({ type: ApplicationOut })
  async patch(@Param('appId') appId: string, @Body() body: ApplicationPatch): Promise<ApplicationOut> {
    return ApplicationOut.from(await this.applications.update(appId, applicationInput(body)));
  }

  @Delete(':appId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an application with its endpoints, messages and attempts' })
  @ApiNoContentResponse()
  async delete(@Param('appId') appId: string): Promise<void> {
    const { id } = await this.applications.get(appId);
    // The API's own records first: should the rest fail, the application is still there for a retry to delete it all.
    await this.portalTokens.deleteAll(id);
    await this.backgroundTasks.deleteAll(id);
    await this.applications.delete(id);
  }

  private async findByUid(uid: string): Promise<ApplicationOut | null> {
    const application = await this.findByIdOrUid(uid);
    return application?.uid === uid ? ApplicationOut.from(application) : null;
  }

  private async findByIdOrUid(appId: string) {
    try {
      return await this.applications.get(appId);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }
}
