import { createHmac } from 'node:crypto';
import { SIGNATURE_HEADERS } from '../webhooks.constants.js';
import { secretKey } from './webhook-secret.js';

/** `v1,<base64 HMAC-SHA256 of "{msgId}.{timestamp}.{body}">`, per Standard Webhooks. */
export function signPayload(secret: string, msgId: string, timestamp: number, body: string | Buffer): string {
  // The body is hashed as bytes so a received body is verified exactly as it arrived.
  const mac = createHmac('sha256', secretKey(secret)).update(`${msgId}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** `base64(HMAC-SHA256(secret, body))`: the body-only scheme Rye uses; the secret is the key as given. */
export function bodyHmac(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/**
 * The signature headers for one attempt, under both the `webhook-*` and `svix-*` names.
 * Several secrets (during a rotation) give several space-separated signatures.
 */
export function signatureHeaders(
  secrets: readonly string[],
  msgId: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  const signature = secrets.map((secret) => signPayload(secret, msgId, timestamp, body)).join(' ');
  const headers: Record<string, string> = {};
  for (const names of Object.values(SIGNATURE_HEADERS)) {
    headers[names.id] = msgId;
    headers[names.timestamp] = String(timestamp);
    headers[names.signature] = signature;
  }
  return headers;
}
