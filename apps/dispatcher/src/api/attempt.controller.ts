import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AttemptsService, MessagesService, RecoveryService, type AttemptEntity, type Page } from '@homing/webhooks';
import { mapPage } from '@homing/webhooks/internal';
import { API_PREFIX } from './api.constants.js';
import { ApiErrors } from './api-docs.decorators.js';
import { AppAccess, MANAGE, READ } from './auth/access.decorators.js';
import {
  AttemptedDestinationsQuery,
  AttemptedMessagesQuery,
  AttemptListByEndpointQuery,
  AttemptListByMessageQuery,
  attemptStatusFilter,
  deliveryStatusFilter,
  EmptyResponse,
  EndpointMessageOut,
  ListResponseEndpointMessageOut,
  ListResponseMessageAttemptOut,
  ListResponseMessageEndpointOut,
  MessageAttemptOut,
  MessageEndpointOut,
} from './dto/attempt.dto.js';
import { AttemptCountQuery, CountOut, MessageAttemptHeadersOut } from './dto/attempt-operations.dto.js';
import { MessageOut, messageFilters } from './dto/message.dto.js';

const NOTHING: Page<never> = { data: [], iterator: null, prevIterator: null, done: true };

@ApiTags('Message Attempt')
@ApiErrors()
@Controller(`${API_PREFIX}/app/:appId`)
export class AttemptController {
  constructor(
    private readonly attempts: AttemptsService,
    private readonly messages: MessagesService,
    private readonly recovery: RecoveryService,
  ) {}

  @Get('attempt/endpoint/:endpointId')
  @AppAccess(READ)
  @ApiOperation({ summary: 'List attempts to an endpoint, newest first' })
  @ApiOkResponse({ type: ListResponseMessageAttemptOut })
  async listByEndpoint(
    @Param('appId') appId: string,
    @Param('endpointId') endpointId: string,
    @Query() query: AttemptListByEndpointQuery,
  ): Promise<ListResponseMessageAttemptOut> {
    const status = attemptStatusFilter(query.status);
    if (status === null) return NOTHING;
    const page = await this.attempts.pageByEndpoint(appId, endpointId, { ...this.attemptFilters(query), status });
    const messages = query.with_msg ? await this.messagesOf(appId, page.data, query.with_content ?? true) : new Map<string, MessageOut>();
    return mapPage(page, (attempt) => MessageAttemptOut.from(attempt, query.with_content ?? true, messages.get(attempt.msgId), query.expanded_statuses ?? true));
  }

  @Get('attempt/endpoint/:endpointId/count')
  @AppAccess(READ)
  @ApiOperation({ summary: 'Count attempts to an endpoint, as list-by-endpoint would list them' })
  @ApiOkResponse({ type: CountOut })
  async countByEndpoint(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Query() query: AttemptCountQuery): Promise<CountOut> {
    const status = attemptStatusFilter(query.status);
    const filters = { status: status ?? undefined, statusCodeClass: query.status_code_class, ...messageFilters(query) };
    // A status no attempt has (pending, sending, canceled) counts none; the endpoint must still exist.
    const count = await this.attempts.countByEndpoint(appId, endpointId, filters);
    return CountOut.from(status === null ? { count: 0, approximated: false } : count);
  }

  @Get('attempt/msg/:msgId')
  @AppAccess(READ)
  @ApiOperation({ summary: 'List attempts of a message, newest first' })
  @ApiOkResponse({ type: ListResponseMessageAttemptOut })
  async listByMessage(
    @Param('appId') appId: string,
    @Param('msgId') msgId: string,
    @Query() query: AttemptListByMessageQuery,
  ): Promise<ListResponseMessageAttemptOut> {
    const status = attemptStatusFilter(query.status);
    if (status === null) return NOTHING;
    const page = await this.attempts.pageByMessage(appId, msgId, { ...this.attemptFilters(query), status, endpointId: query.endpoint_id });
    return mapPage(page, (attempt) => MessageAttemptOut.from(attempt, query.with_content ?? true, undefined, query.expanded_statuses ?? true));
  }

  @Get('endpoint/:endpointId/msg')
  @AppAccess(READ)
  @ApiOperation({ summary: 'List the messages owed to an endpoint, with their delivery status' })
  @ApiOkResponse({ type: ListResponseEndpointMessageOut })
  async listAttemptedMessages(
    @Param('appId') appId: string,
    @Param('endpointId') endpointId: string,
    @Query() query: AttemptedMessagesQuery,
  ): Promise<ListResponseEndpointMessageOut> {
    const status = deliveryStatusFilter(query.status);
    if (status === null) return NOTHING;
    const page = await this.attempts.attemptedMessages(appId, endpointId, { limit: query.limit, iterator: query.iterator, ...messageFilters(query), status });
    return mapPage(page, (item) => EndpointMessageOut.of(item, query.with_content ?? true, query.expanded_statuses ?? true));
  }

  @Get('msg/:msgId/endpoint')
  @AppAccess(READ)
  @ApiOperation({ summary: 'List the endpoints a message is owed to, with their delivery status' })
  @ApiOkResponse({ type: ListResponseMessageEndpointOut })
  async listAttemptedDestinations(
    @Param('appId') appId: string,
    @Param('msgId') msgId: string,
    @Query() query: AttemptedDestinationsQuery,
  ): Promise<ListResponseMessageEndpointOut> {
    return mapPage(await this.attempts.attemptedDestinations(appId, msgId, query), MessageEndpointOut.of);
  }

  @Get('msg/:msgId/attempt/:attemptId')
  @AppAccess(READ)
  @ApiOperation({ summary: 'Get an attempt' })
  @ApiOkResponse({ type: MessageAttemptOut })
  async get(@Param('appId') appId: string, @Param('msgId') msgId: string, @Param('attemptId') attemptId: string): Promise<MessageAttemptOut> {
    return MessageAttemptOut.from(await this.attempts.get(appId, msgId, attemptId), true);
  }

  @Get('msg/:msgId/attempt/:attemptId/headers')
  @AppAccess(READ)
  @ApiOperation({ summary: 'The headers an attempt sent (signatures and secret headers masked) and those of its response' })
  @ApiOkResponse({ type: MessageAttemptHeadersOut })
  async headers(@Param('appId') appId: string, @Param('msgId') msgId: string, @Param('attemptId') attemptId: string): Promise<MessageAttemptHeadersOut> {
    return MessageAttemptHeadersOut.from(await this.attempts.headers(appId, msgId, attemptId));
  }

  @Delete('msg/:msgId/attempt/:attemptId/content')
  @HttpCode(204)
  @ApiOperation({ summary: "Replace what the receiver answered (the attempt's response body and headers) with EXPUNGED" })
  @ApiNoContentResponse()
  async expungeContent(@Param('appId') appId: string, @Param('msgId') msgId: string, @Param('attemptId') attemptId: string): Promise<void> {
    await this.attempts.expungeContent(appId, msgId, attemptId);
  }

  @Post('msg/:msgId/endpoint/:endpointId/resend')
  @HttpCode(202)
  @AppAccess('CreateAttempts', MANAGE)
  @ApiOperation({ summary: 'Send a message to an endpoint once more, now' })
  @ApiAcceptedResponse({ type: EmptyResponse })
  async resend(@Param('appId') appId: string, @Param('msgId') msgId: string, @Param('endpointId') endpointId: string): Promise<EmptyResponse> {
    const message = await this.messages.get(appId, msgId);
    await this.recovery.resend(message.appId, message.id, endpointId);
    return {};
  }

  private attemptFilters(query: AttemptListByMessageQuery | AttemptListByEndpointQuery) {
    return { limit: query.limit, iterator: query.iterator, statusCodeClass: query.status_code_class, ...messageFilters(query) };
  }

  private async messagesOf(appId: string, attempts: AttemptEntity[], withContent: boolean): Promise<Map<string, MessageOut>> {
    const messages = await this.messages.findMany(appId, [...new Set(attempts.map((attempt) => attempt.msgId))]);
    return new Map(messages.map((message) => [message.id, MessageOut.from(message, withContent)]));
  }
}
