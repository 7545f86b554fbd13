import { type DynamicModule, Module } from '@nestjs/common';
import { EMBEDDING_OPTIONS, type EmbeddingOptions } from './portal.constants.js';
import { PortalController } from './portal.controller.js';

/**
 * The consumer portal at `/portal`, which `authentication.appPortalAccess` links to, and how a
 * customer's dashboard may embed it (`configureDispatcher` applies the CORS part).
 */
@Module({})
export class PortalModule {
  static register(options: EmbeddingOptions): DynamicModule {
    return { module: PortalModule, controllers: [PortalController], providers: [{ provide: EMBEDDING_OPTIONS, useValue: options }], exports: [EMBEDDING_OPTIONS] };
  }
}
