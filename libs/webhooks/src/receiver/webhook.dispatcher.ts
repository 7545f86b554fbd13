import type { ServerResponse } from 'node:http';
import {
  BadRequestException,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  NotFoundException,
  Optional,
  ServiceUnavailableException,
} from '@nestjs/common';
import { WEBHOOK_RECEIVER_OPTIONS, WEBHOOK_SEEN_MESSAGES } from '../webhooks.constants.js';
import type { SeenMessages } from './seen-messages.store.js';
import { type ReceivedRequest, VERIFIED_WEBHOOK, type VerifiedWebhook, type WebhookContext } from './webhook-context.js';
import { inReceiveSpan } from '../tracing/webhook-tracing.js';
import { handlersFor, WebhookHandlerExplorer, type WebhookHandlerRef, type WebhookRoute } from './webhook-handler.explorer.js';
import type { ResolvedReceiverOptions, WebhookRequest, WebhookValueSource } from './webhook-receiver-options.interface.js';
import { type QueuedWebhook, WebhookReceiverQueue } from './webhook-receiver.queue.js';

/** What a `@WebhookController` route answers. */
export interface WebhookReceipt {
  id: string;
  type: string;
  /** Handlers that ran (0: none takes the type). */
  handled?: number;
  /** The id was seen before: acknowledged, nothing run. */
  duplicate?: true;
  /** Async mode: queued for the worker (status 202). */
  queued?: true;
}

/** Routes verified deliveries to the matching handlers: at once, or through the queue in async mode. */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger('WebhookReceiver');

  constructor(
    @Inject(WEBHOOK_RECEIVER_OPTIONS) private readonly options: ResolvedReceiverOptions,
    private readonly explorer: WebhookHandlerExplorer,
    @Inject(WEBHOOK_SEEN_MESSAGES) private readonly seen: SeenMessages | null,
    @Optional() private readonly queue?: WebhookReceiverQueue,
  ) {}

  async receive(controller: Function, request: ReceivedRequest, response: ServerResponse): Promise<WebhookReceipt> {
    const verified = request[VERIFIED_WEBHOOK];
    if (!verified) throw new InternalServerErrorException('webhook not verified');
    const route = this.explorer.route(controller);
    const context = this.contextOf(verified, request);
    const receipt = { id: context.id, type: context.type };
    const handlers = handlersFor(route, context.type);
    if (handlers.length === 0) {
      this.logger.debug(`no handler for ${context.type} at /${route.key} (${context.id})`);
      if (this.options.rejectUnknownTypes) throw new NotFoundException(`no handler for event type "${context.type}"`);
      return { ...receipt, handled: 0 };
    }
    if (this.seen && !(await this.seen.claim(route.key, context.id))) {
      this.logger.debug(`duplicate ${context.id} at /${route.key}: acknowledged, not run again`);
      return { ...receipt, duplicate: true };
    }
    if (this.queue) {
      try {
        await this.queue.add(route.key, context);
      } catch (error) {
        await this.seen?.release(route.key, context.id);
        this.logger.error(`could not queue ${context.id}: ${(error as Error).message}`);
        throw new ServiceUnavailableException('could not queue the webhook');
      }
      response.statusCode = 202;
      return { ...receipt, queued: true };
    }
    try {
      await this.run(handlers, verified.payload, context);
    } catch {
      // Forget the id so that the sender's retry runs the handlers again.
      await this.seen?.release(route.key, context.id);
      throw new InternalServerErrorException('webhook handler failed');
    }
    return { ...receipt, handled: handlers.length };
  }

  /** Async mode's worker side; throwing makes Bull retry the job. */
  async runQueued(job: QueuedWebhook, attempt: number): Promise<void> {
    const route: WebhookRoute | undefined = this.explorer.routeByKey(job.route);
    if (!route) throw new Error(`no @WebhookController at /${job.route} any more`);
    const rawBody = Buffer.from(job.rawBody, 'base64');
    const context: WebhookContext = { id: job.id, type: job.type, timestamp: new Date(job.timestamp), rawBody, headers: job.headers, attempt };
    await this.run(handlersFor(route, job.type), JSON.parse(rawBody.toString('utf8')), context);
  }

  /**
   * Runs every handler, even after one fails, then throws if any did: in a span that continues the
   * sender's trace when the request carried one (`traceparent`) and an OpenTelemetry SDK is registered.
   */
  private run(handlers: readonly WebhookHandlerRef[], payload: unknown, context: WebhookContext): Promise<void> {
    const attributes = { 'homing.message_id': context.id, 'homing.event_type': context.type, 'homing.attempt': context.attempt };
    return inReceiveSpan(context.headers, attributes, () => this.runHandlers(handlers, payload, context));
  }

  private async runHandlers(handlers: readonly WebhookHandlerRef[], payload: unknown, context: WebhookContext): Promise<void> {
    const failed: string[] = [];
    for (const handler of handlers) {
      try {
        await handler.invoke(payload, context);
      } catch (error) {
        failed.push(handler.name);
        const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
        this.logger.error(`${handler.name} failed on ${context.type} ${context.id} (run ${context.attempt}): ${message}`, stack);
      }
    }
    if (failed.length > 0) throw new Error(`${failed.join(', ')} failed on ${context.type} ${context.id}`);
  }

  private contextOf(verified: VerifiedWebhook, request: ReceivedRequest): WebhookContext {
    const type = this.read(this.options.eventType, verified.payload, request, 'event type');
    const id = verified.signed?.id ?? this.read(this.options.messageId, verified.payload, request, 'message id');
    const timestamp = verified.signed?.timestamp ?? verified.receivedAt;
    return { id, type, timestamp, rawBody: verified.rawBody, headers: request.headers, attempt: 1 };
  }

  private read(source: WebhookValueSource, payload: unknown, request: WebhookRequest, what: string): string {
    let value: unknown;
    if (typeof source === 'function') value = source(payload, request);
    else if ('header' in source) value = request.headers[source.header];
    else value = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[source.field] : undefined;
    if (typeof value === 'string' && value.length > 0) return value;
    const where = typeof source === 'function' ? 'from the configured function' : 'header' in source ? `in header ${source.header}` : `in payload field "${source.field}"`;
    throw new BadRequestException(`no ${what} ${where}`);
  }
}
