import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { mapPage } from '@homing/webhooks/internal';
import { API_PREFIX } from './api.constants.js';
import { ApiErrors } from './api-docs.decorators.js';
import { PortalAccess } from './auth/access.decorators.js';
import { CurrentPrincipal, type Principal } from './auth/principal.js';
import { BackgroundTasksService } from './background-tasks.service.js';
import { BackgroundTaskListQuery, BackgroundTaskOut, ListResponseBackgroundTaskOut } from './dto/background-task.dto.js';

@ApiTags('Background Task')
@ApiErrors()
@Controller(`${API_PREFIX}/background-task`)
export class BackgroundTaskController {
  constructor(private readonly tasks: BackgroundTasksService) {}

  @Get()
  @ApiOperation({ summary: 'List background tasks, newest first' })
  @ApiOkResponse({ type: ListResponseBackgroundTaskOut })
  async list(@Query() query: BackgroundTaskListQuery): Promise<ListResponseBackgroundTaskOut> {
    return mapPage(await this.tasks.page(query), BackgroundTaskOut.from);
  }

  @Get(':taskId')
  @PortalAccess()
  @ApiOperation({ summary: 'Get a background task (a portal token: one of its application)' })
  @ApiOkResponse({ type: BackgroundTaskOut })
  async get(@Param('taskId') taskId: string, @CurrentPrincipal() principal: Principal): Promise<BackgroundTaskOut> {
    return BackgroundTaskOut.from(await this.tasks.get(taskId, principal.kind === 'portal' ? principal.appId : undefined));
  }
}
