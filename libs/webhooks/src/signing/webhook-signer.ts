import { createHmac } from 'node:crypto';
import { SIGNATURE_HEADERS } from '../webhooks.constants.js';
import { schemeOfSecret } from './schemes/registry.js';

/** What Standard Webhooks signs: `{msgId}.{timestamp}.{body}`, a received body kept as the bytes that arrived. */
export function signedContent(msgId: string, timestamp: number, body: string | Buffer): string | Buffer {
  return typeof body === 'string' ? `${msgId}.${timestamp}.${body}` : Buffer.concat([Buffer.from(`${msgId}.${timestamp}.`), body]);
}

/** `v1,<base64 HMAC-SHA256>` (a `whsec_` secret) or `v1a,<base64 ed25519>` (`whsk_`) of the signed content, per Standard Webhooks. */
export function signPayload(secret: string, msgId: string, timestamp: number, body: string | Buffer): string {
  return schemeOfSecret(secret).sign(secret, signedContent(msgId, timestamp, body));
}

/** `base64(HMAC-SHA256(secret, body))`: the body-only scheme Rye uses; the secret is the key as given. */
export function bodyHmac(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/**
 * The signature headers for one attempt, under both the `webhook-*` and `svix-*` names.
 * Several secrets (during a rotation) give several space-separated signatures, each by its own scheme.
 */
export function signatureHeaders(
  secrets: readonly string[],
  msgId: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  const content = signedContent(msgId, timestamp, body);
  const signature = secrets.map((secret) => schemeOfSecret(secret).sign(secret, content)).join(' ');
  const headers: Record<string, string> = {};
  for (const names of Object.values(SIGNATURE_HEADERS)) {
    headers[names.id] = msgId;
    headers[names.timestamp] = String(timestamp);
    headers[names.signature] = signature;
  }
  return headers;
}
