import { OmitType } from '@nestjs/swagger';
import type { EndpointEntity } from '@homing/webhooks';
import { EndpointHeadersIn, EndpointHeadersOut, EndpointIn, EndpointOut, EndpointSecretOut, EndpointSecretRotateIn } from './endpoint.dto.js';
import { ListResponse } from './common.dto.js';

/**
 * Operational webhook endpoints are endpoints of the operational application, so they take the
 * endpoint's fields but those Svix gives them none of (channels, signature scheme, version); the
 * classes carry Svix's schema names into the OpenAPI document.
 */
export class OperationalWebhookEndpointIn extends OmitType(EndpointIn, ['channels', 'signatureScheme', 'version'] as const) {}

/** PUT: every field but the secret and headers, which have their own routes. */
export class OperationalWebhookEndpointUpsertIn extends OmitType(OperationalWebhookEndpointIn, ['secret', 'headers'] as const) {}

export class OperationalWebhookEndpointOut extends OmitType(EndpointOut, ['channels'] as const) {
  static from(endpoint: EndpointEntity): OperationalWebhookEndpointOut {
    const { channels: _channels, ...out } = EndpointOut.from(endpoint);
    return out;
  }
}

export class ListResponseOperationalWebhookEndpointOut extends ListResponse(OperationalWebhookEndpointOut) {}

export class OperationalWebhookEndpointSecretOut extends EndpointSecretOut {}

export class OperationalWebhookEndpointSecretIn extends EndpointSecretRotateIn {}

export class OperationalWebhookEndpointHeadersIn extends EndpointHeadersIn {}

export class OperationalWebhookEndpointHeadersOut extends EndpointHeadersOut {}
