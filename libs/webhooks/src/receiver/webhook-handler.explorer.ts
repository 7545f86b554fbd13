import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { isValidEventTypePattern, matchesEventTypePattern } from '../common/event-type-pattern.js';
import { WEBHOOK_CONTROLLER_METADATA, WEBHOOK_HANDLER_METADATA } from '../webhooks.constants.js';
import type { WebhookContext } from './webhook-context.js';

export interface WebhookHandlerRef {
  pattern: string;
  /** `Class.method`, for logs and errors. */
  name: string;
  invoke(payload: unknown, context: WebhookContext): unknown;
}

/** One `@WebhookController` and its handlers. */
export interface WebhookRoute {
  /** The controller path, without surrounding slashes: names the route in queued jobs and seen ids. */
  key: string;
  controller: string;
  handlers: readonly WebhookHandlerRef[];
}

/** Finds every `@WebhookController` and its `@WebhookHandler` methods at boot, and refuses ambiguous or malformed ones. */
@Injectable()
export class WebhookHandlerExplorer implements OnModuleInit {
  private readonly byController = new Map<Function, WebhookRoute>();
  private readonly byKey = new Map<string, WebhookRoute>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Function | undefined;
      const path = controller && this.reflector.get<string>(WEBHOOK_CONTROLLER_METADATA, controller);
      if (!controller || path === undefined || this.byController.has(controller)) continue;
      if (!wrapper.isDependencyTreeStatic()) throw new Error(`@WebhookController ${controller.name} must be a singleton (not request-scoped)`);
      const key = path.replace(/^\/+|\/+$/g, '');
      const other = this.byKey.get(key);
      if (other) throw new Error(`@WebhookController('${path}') on ${controller.name}: the path is already taken by ${other.controller}`);
      const route = { key, controller: controller.name, handlers: this.handlersOf(controller, wrapper.instance as Record<string, Function>) };
      this.byController.set(controller, route);
      this.byKey.set(key, route);
    }
  }

  route(controller: Function): WebhookRoute {
    const route = this.byController.get(controller);
    if (!route) throw new Error(`${controller.name} is not a discovered @WebhookController`);
    return route;
  }

  routeByKey(key: string): WebhookRoute | undefined {
    return this.byKey.get(key);
  }

  private handlersOf(controller: Function, instance: Record<string, Function>): WebhookHandlerRef[] {
    const handlers: WebhookHandlerRef[] = [];
    for (const method of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const patterns = this.reflector.get<string[] | undefined>(WEBHOOK_HANDLER_METADATA, instance[method]);
      for (const pattern of patterns ?? []) {
        const name = `${controller.name}.${method}`;
        if (typeof pattern !== 'string' || !isValidEventTypePattern(pattern)) {
          throw new Error(
            `@WebhookHandler(${JSON.stringify(pattern)}) on ${name}: not an event-type pattern (dot-separated names of letters, digits, - and _, optionally ending in .*)`,
          );
        }
        const clash = handlers.find((handler) => handler.pattern === pattern);
        if (clash) throw new Error(`@WebhookHandler('${pattern}') is on both ${clash.name} and ${name}: which one is meant is ambiguous`);
        handlers.push({ pattern, name, invoke: (payload, context) => instance[method](payload, context) });
      }
    }
    if (handlers.length === 0) throw new Error(`@WebhookController ${controller.name} has no @WebhookHandler method`);
    return handlers;
  }
}

export function handlersFor(route: WebhookRoute, type: string): WebhookHandlerRef[] {
  return route.handlers.filter((handler) => matchesEventTypePattern(handler.pattern, type));
}
