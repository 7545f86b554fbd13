import { createHmac } from 'node:crypto';
import { SIGNATURE_HEADERS } from '../webhooks.constants.js';
import { secretKey } from './webhook-secret.js';

/** `v1,<base64 HMAC-SHA256 of "{msgId}.{timestamp}.{body}">`, per Standard Webhooks. */
export function signPayload(secret: string, msgId: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${msgId}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
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
