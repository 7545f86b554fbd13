import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SIGNATURE_HEADERS } from '../webhooks.constants.js';
import { schemeOfKey } from './schemes/registry.js';
import { bodyHmac, signedContent } from './webhook-signer.js';

/** A request that fails verification; the message is a short reason, safe to return to the sender. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/** What a valid Standard Webhooks signature vouches for. */
export interface VerifiedStandardWebhook {
  id: string;
  timestamp: Date;
}

export interface StandardVerifyOptions {
  /** How far the signed timestamp may lie from `now`, either way. */
  toleranceMs: number;
  /** Epoch ms; defaults to the clock. */
  now?: number;
}

const TIMESTAMP = /^[1-9]\d{0,14}$/;

/**
 * Verifies a Standard Webhooks request (`webhook-*` headers, or the same under `svix-*`) over the
 * body bytes as received. Any one of the space-separated signatures matching any one key of its
 * version passes: `whsec_` secrets check `v1`, `whpk_` public keys `v1a`.
 */
export function verifyStandardWebhook(
  keys: readonly string[],
  headers: IncomingHttpHeaders,
  body: Buffer | string,
  { toleranceMs, now = Date.now() }: StandardVerifyOptions,
): VerifiedStandardWebhook {
  const names = hasAny(headers, SIGNATURE_HEADERS.standard) || !hasAny(headers, SIGNATURE_HEADERS.svix) ? SIGNATURE_HEADERS.standard : SIGNATURE_HEADERS.svix;
  const id = requireHeader(headers, names.id);
  const timestamp = requireHeader(headers, names.timestamp);
  const signatures = requireHeader(headers, names.signature);
  if (!TIMESTAMP.test(timestamp)) throw new WebhookVerificationError(`invalid ${names.timestamp} header`);
  const seconds = Number(timestamp);
  const skewMs = now - seconds * 1000;
  if (skewMs > toleranceMs) throw new WebhookVerificationError('timestamp too old');
  if (-skewMs > toleranceMs) throw new WebhookVerificationError('timestamp in the future');
  const content = signedContent(id, seconds, body);
  const candidates = signatures.split(' ');
  const valid = keys.some((key) => {
    const scheme = schemeOfKey(key);
    const version = `${scheme.version},`;
    return candidates.some((candidate) => candidate.startsWith(version) && scheme.verify(key, content, candidate));
  });
  if (!valid) throw new WebhookVerificationError('no valid signature');
  return { id, timestamp: new Date(seconds * 1000) };
}

/** Verifies `base64(HMAC-SHA256(secret, body))` in `header` (Rye's scheme) against any one of the secrets. */
export function verifyBodyHmac(secrets: readonly string[], headers: IncomingHttpHeaders, header: string, body: Buffer | string): void {
  const signature = requireHeader(headers, header.toLowerCase()).trim();
  if (!secrets.some((secret) => constantTimeEqual(signature, bodyHmac(secret, body)))) {
    throw new WebhookVerificationError('no valid signature');
  }
}

/** String equality whose time does not depend on where the strings differ (only on their lengths, which are public). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function hasAny(headers: IncomingHttpHeaders, names: Readonly<Record<string, string>>): boolean {
  return Object.values(names).some((name) => headers[name] !== undefined);
}

function requireHeader(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(' ') : value;
  if (!text) throw new WebhookVerificationError(`missing ${name} header`);
  return text;
}
