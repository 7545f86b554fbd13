import { All, Body, Controller, Get, HttpCode, Param, Post, Req, Res, Sse, type MessageEvent } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { endWith, ignoreElements, interval, map, merge, type Observable, share, takeUntil } from 'rxjs';
import { API_PREFIX } from '../api/api.constants.js';
import { ApiErrors } from '../api/api-docs.decorators.js';
import { Public } from '../api/auth/access.decorators.js';
import { RELAY_HEARTBEAT_MS, RELAY_PATH } from './relay.constants.js';
import { RelayHistoryOut, RelayInboxOut, RelayRecordOut, RelayReplyIn } from './relay.dto.js';
import { RelayService } from './relay.service.js';

/** Hop-by-hop headers describe the connection to the dispatcher, not the request to relay. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'proxy-authorization']);

@ApiTags('Relay')
@ApiErrors()
@Controller()
export class RelayController {
  constructor(private readonly relay: RelayService) {}

  @Post(`${API_PREFIX}/relay`)
  @ApiOperation({ summary: 'Create a relay inbox for `homing listen`', description: 'Its URL can be an endpoint URL; what arrives there is relayed to the listener.' })
  @ApiCreatedResponse({ type: RelayInboxOut })
  async create(@Req() request: Request): Promise<RelayInboxOut> {
    const id = await this.relay.create();
    return { id, url: `${request.protocol}://${request.get('host')}/${RELAY_PATH}/${id}` };
  }

  @Sse(`${API_PREFIX}/relay/:inboxId/stream`)
  @ApiOperation({ summary: 'Receive the requests the inbox gets, as server-sent events (`request` events; `ping` keeps the stream open)' })
  async stream(@Param('inboxId') inboxId: string): Promise<Observable<MessageEvent>> {
    await this.relay.assertExists(inboxId);
    const requests = this.relay.listen(inboxId).pipe(share());
    // The heartbeat ends with the requests (at shutdown), so the stream, and the response, end.
    const ended = requests.pipe(ignoreElements(), endWith(true));
    return merge(
      requests.pipe(map((request): MessageEvent => ({ type: 'request', id: request.id, data: request }))),
      interval(RELAY_HEARTBEAT_MS).pipe(
        map((): MessageEvent => ({ type: 'ping', data: '' })),
        takeUntil(ended),
      ),
    );
  }

  @Post(`${API_PREFIX}/relay/:inboxId/requests/:requestId/response`)
  @HttpCode(204)
  @ApiOperation({ summary: "Report the local server's answer to a relayed request" })
  @ApiNoContentResponse()
  async reply(@Param('inboxId') inboxId: string, @Param('requestId') requestId: string, @Body() body: RelayReplyIn): Promise<void> {
    await this.relay.reply(inboxId, requestId, body);
  }

  @Get(`${API_PREFIX}/relay/:inboxId/requests`)
  @ApiOperation({ summary: 'The last 50 requests the inbox received, newest first, with their answers' })
  @ApiOkResponse({ type: RelayHistoryOut })
  async history(@Param('inboxId') inboxId: string): Promise<RelayHistoryOut> {
    return { data: (await this.relay.history(inboxId)).map(RelayRecordOut.from) };
  }

  /** The inbox itself: public, its unguessable id is what protects it. */
  @All(`${RELAY_PATH}/:inboxId{/*path}`)
  @Public()
  @ApiOperation({ summary: 'A relay inbox: any request is relayed to `homing listen` and answered with what the local server answered' })
  async inbox(@Param('inboxId') inboxId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const prefix = `/${RELAY_PATH}/${inboxId}`;
    const path = request.originalUrl.slice(request.originalUrl.indexOf(prefix) + prefix.length) || '/';
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name, value]) => value !== undefined && !HOP_BY_HOP.has(name))) as Record<string, string | string[]>;
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const reply = await this.relay.relay(inboxId, { method: request.method, path: path.startsWith('/') ? path : `/${path}`, headers, body: body.toString('base64') });
    response.status(reply.status);
    for (const [name, value] of Object.entries(reply.headers ?? {})) if (name.toLowerCase() === 'content-type') response.setHeader(name, value);
    response.end(reply.body ? Buffer.from(reply.body, 'base64') : undefined);
  }
}
