import type { NestApplicationOptions } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '@homing/webhooks';
import { REQUEST_ENVELOPE_BYTES } from './api/api.constants.js';
import { EMBEDDING_OPTIONS, type EmbeddingOptions } from './portal/portal.constants.js';
import { enableApiCors } from './portal/portal.cors.js';
import { isRelayInboxRequest } from './relay/relay.module.js';

/** How the dispatcher's app is created: the raw JSON is kept so a message's payload goes out as the client wrote it (see memberText). */
export const DISPATCHER_APP_OPTIONS: NestApplicationOptions = { rawBody: true };

/**
 * What the app needs beyond its modules, for `main.ts` and for tests alike; call before `listen`.
 * The OpenAPI document is generated from the controllers and the DTO classes that validate requests.
 */
export function configureDispatcher(app: NestExpressApplication): NestExpressApplication {
  // Bodies up to a largest payload in its envelope; beyond that a 413 before the body is even parsed.
  const { maxPayloadBytes } = app.get<ResolvedWebhooksOptions>(WEBHOOKS_OPTIONS, { strict: false });
  // Relay inboxes pass bodies on byte for byte: read raw, ahead of the JSON parser.
  app.useBodyParser('raw', { type: isRelayInboxRequest, limit: maxPayloadBytes + REQUEST_ENVELOPE_BYTES });
  app.useBodyParser('json', { limit: maxPayloadBytes + REQUEST_ENVELOPE_BYTES });
  enableApiCors(app, app.get<EmbeddingOptions>(EMBEDDING_OPTIONS, { strict: false }).corsOrigins);
  // Express hashes every JSON answer for an ETag; API clients (the Svix SDKs) never send it back.
  app.set('etag', false);
  const config = new DocumentBuilder()
    .setTitle('Homing dispatcher')
    .setDescription(
      'Webhook delivery with the Svix v1 API: the official Svix SDKs work against it. ' +
        'Authenticate with `Authorization: Bearer <token>`: the operator token (HOMING_API_TOKEN), or a consumer-portal token, which reaches one application.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
