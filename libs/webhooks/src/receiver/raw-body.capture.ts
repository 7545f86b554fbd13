import type { ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WEBHOOK_RECEIVER_OPTIONS } from '../webhooks.constants.js';
import type { ReceivedRequest } from './webhook-context.js';
import type { ResolvedReceiverOptions } from './webhook-receiver-options.interface.js';

/**
 * Reads the body of every request that carries a webhook signature header into `request.rawBody`,
 * ahead of the app's body parsers, which then leave the finished request alone. Nest registers its
 * parsers at `init()`, after module middleware could run, so this hooks in when the HTTP adapter is
 * set, before `init()`: the raw bytes are there whether or not the app was created with `rawBody: true`,
 * under this receiver's own size limit.
 */
@Injectable()
export class RawBodyCapture {
  private readonly logger = new Logger('WebhookReceiver');

  constructor(adapterHost: HttpAdapterHost, @Inject(WEBHOOK_RECEIVER_OPTIONS) private readonly options: ResolvedReceiverOptions) {
    adapterHost.init$.subscribe(() => {
      const adapter = adapterHost.httpAdapter;
      if (adapter.getType() === 'express') adapter.use(this.middleware);
      else this.logger.warn(`on ${adapter.getType()} the receiver needs the app created with rawBody: true`);
    });
  }

  private readonly middleware = (request: ReceivedRequest, response: ServerResponse, next: (error?: unknown) => void): void => {
    const signed = this.options.signatureHeaders.some((name) => request.headers[name] !== undefined);
    if (!signed) return next();
    if (!hasBody(request)) {
      request.rawBody = Buffer.alloc(0);
      return next();
    }
    const limit = this.options.bodyLimit;
    if (Number(request.headers['content-length'] ?? 0) > limit) return tooLarge(request, response, limit);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        tooLarge(request, response, limit);
      } else chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      if (size > limit) return;
      request.rawBody = Buffer.concat(chunks);
      next();
    });
    request.once('error', next);
  };
}

function hasBody(request: ReceivedRequest): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/**
 * Answers 413 in Nest's error shape once the rest of the body has been read and dropped, as Express
 * does with its own errors: a client still sending would otherwise see a reset instead of the answer.
 */
function tooLarge(request: ReceivedRequest, response: ServerResponse, limit: number): void {
  const body = JSON.stringify({ statusCode: 413, message: `body larger than ${limit} bytes`, error: 'Payload Too Large' });
  const answer = () => void response.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(body);
  if (request.complete) return answer();
  request.once('end', answer);
  request.resume();
}
