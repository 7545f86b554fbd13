import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { REQUEST_BODY_LIMIT } from './api/api.constants.js';

/**
 * What the app needs beyond its modules, for `main.ts` and for tests alike; call before `listen`.
 * The OpenAPI document is generated from the controllers and the DTO classes that validate requests.
 */
export function configureDispatcher(app: NestExpressApplication): NestExpressApplication {
  app.useBodyParser('json', { limit: REQUEST_BODY_LIMIT });
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
