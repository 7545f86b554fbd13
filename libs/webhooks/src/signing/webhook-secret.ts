import { randomBytes } from 'node:crypto';
import { SECRET_PREFIX } from '../webhooks.constants.js';

/** A new endpoint secret: 24 random bytes, base64, with the `whsec_` prefix (as Svix issues them). */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

/** The HMAC key behind a secret given with or without the `whsec_` prefix. */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

const SECRET_FORMAT = /^(whsec_)?[A-Za-z0-9+/]{32,100}={0,2}$/;

/** Whether a caller-chosen secret has the form and key length Standard Webhooks asks for (24 to 64 bytes). */
export function isValidSecret(secret: string): boolean {
  if (!SECRET_FORMAT.test(secret)) return false;
  const length = secretKey(secret).length;
  return length >= 24 && length <= 64;
}
