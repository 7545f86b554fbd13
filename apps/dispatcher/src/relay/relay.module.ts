import type { IncomingMessage } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import { RELAY_OPTIONS, RELAY_PATH, type RelayOptions } from './relay.constants.js';
import { RelayController } from './relay.controller.js';
import { RelayService } from './relay.service.js';

/** The relay inbox `homing listen` connects to; relayed request bodies are read raw (see `configureDispatcher`). */
@Module({})
export class RelayModule {
  static register(options: RelayOptions): DynamicModule {
    return {
      module: RelayModule,
      controllers: [RelayController],
      providers: [{ provide: RELAY_OPTIONS, useValue: options }, RelayService],
    };
  }
}

/** Requests to an inbox, whose bodies are relayed byte for byte. */
export function isRelayInboxRequest(request: IncomingMessage): boolean {
  return request.url?.startsWith(`/${RELAY_PATH}/`) ?? false;
}
