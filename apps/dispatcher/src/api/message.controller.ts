import { Body, Controller, Get, HttpCode, Param, Post, Query, type RawBodyRequest, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApplicationsService, MessagesService, ProducerService } from '@homing/webhooks';
import { mapPage, sendValidated } from '@homing/webhooks/internal';
import { API_PREFIX } from './api.constants.js';
import { ApiErrors } from './api-docs.decorators.js';
import { applicationOrCreate } from './application-lookup.js';
import { AppAccess, READ } from './auth/access.decorators.js';
import { WithContentQuery } from './dto/common.dto.js';
import { ListResponseMessageOut, MessageIn, messageInput, MessageListQuery, MessageOut, messageFilters } from './dto/message.dto.js';
import { requestMemberText } from './validation/json-member.js';

@ApiTags('Message')
@ApiErrors()
@Controller(`${API_PREFIX}/app/:appId/msg`)
export class MessageController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly messages: MessagesService,
    private readonly producer: ProducerService,
  ) {}

  @Get()
  @AppAccess(READ)
  @ApiOperation({ summary: "List the application's messages, newest first" })
  @ApiOkResponse({ type: ListResponseMessageOut })
  async list(@Param('appId') appId: string, @Query() query: MessageListQuery): Promise<ListResponseMessageOut> {
    const page = await this.messages.page(appId, { limit: query.limit, iterator: query.iterator, ...messageFilters(query) });
    return mapPage(page, (message) => MessageOut.from(message, query.with_content ?? true));
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a message',
    description:
      'Stores the message and owes it to every enabled endpoint whose event types and channels accept it. ' +
      'A second message with the same `eventId` in the application is a 409; `deliverAt` delays delivery.',
  })
  @ApiAcceptedResponse({ type: MessageOut })
  async create(
    @Param('appId') appId: string,
    @Body() body: MessageIn,
    @Query() query: WithContentQuery,
    @Req() request: RawBodyRequest<Request>,
  ): Promise<MessageOut> {
    // The producer finds the application itself (by id or uid, 404 if none): read it here only to create it.
    const application = body.application ? (await applicationOrCreate(this.applications, appId, body.application, ['body', 'application'])).id : appId;
    const rawPayload = body.transformationsParams?.rawPayload ?? undefined;
    // The pipe has validated the body by rules the library's own match (see messageInput): no second pass.
    const message = await sendValidated(
      this.producer,
      application,
      // `rawPayload` (the SDK's `messageInRaw`) is sent as is; else the payload's JSON text as sent: parsed and
      // written again, numbers such as 12345678901234567890 or 1.0 would change.
      messageInput(body, rawPayload ?? requestMemberText(request, 'payload') ?? JSON.stringify(body.payload)),
    );
    // Without rawPayload the stored text is `payload`'s as sent: the body parser has read its value already.
    return MessageOut.from(message, query.with_content ?? true, rawPayload === undefined ? body.payload : undefined);
  }

  @Get(':msgId')
  @AppAccess(READ)
  @ApiOperation({ summary: 'Get a message by id or eventId' })
  @ApiOkResponse({ type: MessageOut })
  async get(@Param('appId') appId: string, @Param('msgId') msgId: string, @Query() query: WithContentQuery): Promise<MessageOut> {
    return MessageOut.from(await this.messages.get(appId, msgId), query.with_content ?? true);
  }
}

