import type { ApplicationEntity, EndpointEntity, MessageEntity } from '../entities/index.js';
import { isSensitiveHeader } from '../security/sensitive-headers.js';
import { SIGNATURE_HEADERS } from '../webhooks.constants.js';
import { developerIdOf, envelopeBody } from './envelope.js';
import { signingSecrets } from '../signing/secret-rotation.js';
import { bodyHmacSigning } from '../signing/signature-scheme.js';
import { bodyHmac, signatureHeaders } from '../signing/webhook-signer.js';

const USER_AGENT = 'Homing-Webhooks/0.1';

export interface DeliveryRequest {
  body: string;
  headers: Record<string, string>;
  /** Names of the headers never shown back: signatures and secret endpoint headers. */
  sensitive: string[];
}

const MASK = '********';
const STANDARD_SIGNATURES = Object.values(SIGNATURE_HEADERS).map((names) => names.signature);

type Application = Pick<ApplicationEntity, 'id' | 'uid' | 'developerId' | 'envelope' | 'signatureScheme'>;

/**
 * What one attempt sends: the payload as stored, with its content type (or wrapped in the application's
 * envelope, which is JSON), signed per the endpoint's scheme, else the application's. `endpoint` carries
 * its secrets in the clear. A transformation's result comes as `message` with its payload and content type,
 * and the headers it added, which take precedence over the endpoint's (in any case).
 */
export function deliveryRequest(message: MessageEntity, endpoint: EndpointEntity, application: Application, at = new Date(), added: Record<string, string> = {}): DeliveryRequest {
  const body = application.envelope ? envelopeBody(message, developerIdOf(application)) : message.payload;
  const contentType = (!application.envelope && message.contentType) || 'application/json';
  const replaced = new Set(Object.keys(added).map((name) => name.toLowerCase()));
  const endpointHeaders = Object.entries(endpoint.headers ?? {}).filter(([name]) => !replaced.has(name.toLowerCase()));
  const headers: Record<string, string> = { ...Object.fromEntries(endpointHeaders), ...added, 'content-type': contentType, 'user-agent': USER_AGENT };
  const bodyHmacScheme = bodyHmacSigning(endpoint.signatureScheme, application.signatureScheme);
  const signatures = new Set((bodyHmacScheme ? [bodyHmacScheme.header] : STANDARD_SIGNATURES).map((name) => name.toLowerCase()));
  if (bodyHmacScheme) {
    // One signature, by the current secret: Rye's receivers compare the whole header with one digest.
    headers[bodyHmacScheme.header] = bodyHmac(endpoint.secret, body);
    if (bodyHmacScheme.accountHeader) headers[bodyHmacScheme.accountHeader] = developerIdOf(application);
  } else {
    // During a secret rotation the old secret signs too, so receivers still on it keep verifying.
    Object.assign(headers, signatureHeaders(signingSecrets(endpoint, at), message.id, Math.floor(at.getTime() / 1000), body));
  }
  const sensitive = Object.keys(headers).filter((name) => signatures.has(name.toLowerCase()) || isSensitiveHeader(name));
  return { body, headers, sensitive };
}

/** The request's headers as an attempt keeps them: the sensitive ones masked. */
export function maskedHeaders({ headers, sensitive }: DeliveryRequest): Record<string, string> {
  return { ...headers, ...Object.fromEntries(sensitive.map((name) => [name, MASK])) };
}
