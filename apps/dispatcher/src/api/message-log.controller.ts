import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApplicationsService, MessagesService, ProducerService } from '@homing/webhooks';
import { API_PREFIX } from './api.constants.js';
import { ApiErrors } from './api-docs.decorators.js';
import { AppAccess, READ } from './auth/access.decorators.js';
import { BackgroundTasksService } from './background-tasks.service.js';
import { BackgroundTaskOut, TASKS } from './dto/background-task.dto.js';
import { MessageOut } from './dto/message.dto.js';
import {
  BulkExpungeContentsIn,
  BulkExpungeContentsOut,
  MessageEventsOut,
  MessageEventsQuery,
  MessagePrecheckIn,
  MessagePrecheckOut,
  MessageRawPayloadOut,
} from './dto/message-operations.dto.js';

/**
 * The message log beyond sending and reading messages: the stream for consumers that poll, raw
 * payloads, emptying payloads (one, some, all) and the send precheck. Emptying is the operator's alone,
 * as in Svix (organisation-level access).
 */
@ApiTags('Message')
@ApiErrors()
@Controller(`${API_PREFIX}/app/:appId`)
export class MessageLogController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly messages: MessagesService,
    private readonly producer: ProducerService,
    private readonly tasks: BackgroundTasksService,
  ) {}

  @Get('events')
  @AppAccess(READ)
  @ApiOperation({
    summary: "The application's messages, oldest first, for consumers that poll",
    description: 'Pass `iterator` back to read on right after the last message given. A message shows once it is a few seconds old, when no message written before it can still be missing.',
  })
  @ApiOkResponse({ type: MessageEventsOut })
  async events(@Param('appId') appId: string, @Query() query: MessageEventsQuery): Promise<MessageEventsOut> {
    const page = await this.messages.events(appId, { limit: query.limit, iterator: query.iterator, eventTypes: query.event_types, channels: query.channels, after: query.after });
    return { data: page.data.map((message) => MessageOut.from(message, true)), iterator: page.iterator, done: page.done };
  }

  @Post('msg/precheck/active')
  @HttpCode(200)
  @ApiOperation({ summary: 'Whether a message of this event type (on these channels) would be sent to any endpoint now' })
  @ApiOkResponse({ type: MessagePrecheckOut })
  async precheck(@Param('appId') appId: string, @Body() body: MessagePrecheckIn): Promise<MessagePrecheckOut> {
    return { active: await this.producer.precheck(appId, body.eventType, body.channels) };
  }

  @Get('msg/:msgId/raw')
  @AppAccess(READ)
  @ApiOperation({ summary: "A message's payload as stored and delivered, as text" })
  @ApiOkResponse({ type: MessageRawPayloadOut })
  async rawPayload(@Param('appId') appId: string, @Param('msgId') msgId: string): Promise<MessageRawPayloadOut> {
    return { payload: (await this.messages.rawPayload(appId, msgId)).payload };
  }

  @Delete('msg/:msgId/content')
  @HttpCode(204)
  @ApiOperation({ summary: "Empty a message's payload now", description: 'As the retention purge does: the message stays, and can no longer be resent or recovered.' })
  @ApiNoContentResponse()
  async expungeContent(@Param('appId') appId: string, @Param('msgId') msgId: string): Promise<void> {
    await this.messages.expungeContent(appId, msgId);
  }

  @Post('msg/bulk-expunge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Empty the payloads of these messages (by id or eventId)' })
  @ApiOkResponse({ type: BulkExpungeContentsOut })
  async bulkExpungeContent(@Param('appId') appId: string, @Body() body: BulkExpungeContentsIn): Promise<BulkExpungeContentsOut> {
    return BulkExpungeContentsOut.from(await this.messages.expungeContents(appId, body.ids ?? []));
  }

  @Post('msg/expunge-all-contents')
  @HttpCode(202)
  @ApiOperation({ summary: "Empty every payload of the application", description: 'Runs as a background task (`application.purge_content`, data `{ messagesPurged }`).' })
  @ApiAcceptedResponse({ type: BackgroundTaskOut })
  async expungeAllContents(@Param('appId') appId: string): Promise<BackgroundTaskOut> {
    const application = await this.applications.get(appId);
    const task = await this.tasks.start(application.id, TASKS.applicationPurgeContent, async () => ({
      messagesPurged: await this.messages.expungeAllContents(application.id),
    }));
    return BackgroundTaskOut.from(task);
  }
}
