import { Controller, HttpCode, Inject, Post, Req, Res, SetMetadata, UseGuards } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { WEBHOOK_CONTROLLER_METADATA, WEBHOOK_HANDLER_METADATA } from '../webhooks.constants.js';
import type { ReceivedRequest } from './webhook-context.js';
import { WebhookDispatcher } from './webhook.dispatcher.js';
import { WebhookSignatureGuard } from './webhook-signature.guard.js';

/** The route method `@WebhookController` adds. */
export const WEBHOOK_ROUTE_METHOD = 'receiveWebhook';
const DISPATCHER = Symbol('homing.webhookDispatcher');

/**
 * A controller whose one POST route (at `path`) verifies each request with `WebhookSignatureGuard`
 * and hands it to the class's `@WebhookHandler` methods. Other routes may sit beside it as usual.
 */
export function WebhookController(path: string): ClassDecorator {
  return (target) => {
    const prototype = target.prototype as Record<PropertyKey, unknown>;
    if (Object.hasOwn(prototype, WEBHOOK_ROUTE_METHOD)) {
      throw new Error(`@WebhookController on ${target.name}: the class may not define ${WEBHOOK_ROUTE_METHOD}(), which the decorator adds`);
    }
    const descriptor: PropertyDescriptor = {
      value: function receiveWebhook(this: { [DISPATCHER]: WebhookDispatcher }, request: ReceivedRequest, response: ServerResponse) {
        return this[DISPATCHER].receive(target, request, response);
      },
      writable: true,
      configurable: true,
    };
    Object.defineProperty(prototype, WEBHOOK_ROUTE_METHOD, descriptor);
    Post()(prototype, WEBHOOK_ROUTE_METHOD, descriptor);
    HttpCode(200)(prototype, WEBHOOK_ROUTE_METHOD, descriptor);
    UseGuards(WebhookSignatureGuard)(prototype, WEBHOOK_ROUTE_METHOD, descriptor);
    Req()(prototype, WEBHOOK_ROUTE_METHOD, 0);
    Res({ passthrough: true })(prototype, WEBHOOK_ROUTE_METHOD, 1);
    Inject(WebhookDispatcher)(prototype, DISPATCHER);
    SetMetadata(WEBHOOK_CONTROLLER_METADATA, path)(target);
    Controller(path)(target);
  };
}

/**
 * Runs the method `(payload, ctx: WebhookContext)` for a verified delivery whose type matches one of
 * the patterns: an exact type, or a trailing wildcard segment (`product.*`, or `*` for all).
 */
export function WebhookHandler(...patterns: [string, ...string[]]): MethodDecorator {
  return (target, key, descriptor) => {
    const existing: string[] = Reflect.getMetadata(WEBHOOK_HANDLER_METADATA, descriptor.value as object) ?? [];
    SetMetadata(WEBHOOK_HANDLER_METADATA, [...existing, ...patterns])(target, key, descriptor);
  };
}
