import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SigningScheme } from './signing-scheme.js';

const PREFIX = 'whsec_';
const SECRET_FORMAT = /^(whsec_)?[A-Za-z0-9+/]{32,100}={0,2}$/;
/** Receivers are lenient on length: a key they were given that never verifies only costs them. */
const KEY_FORMAT = /^(whsec_)?[A-Za-z0-9+/]+={0,2}$/;

/** The HMAC key behind a secret given with or without the `whsec_` prefix. */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

/** Standard Webhooks `v1`: HMAC-SHA256 with a shared `whsec_` secret (the scheme of a secret without a prefix, too). */
export const hmacSha256Scheme = {
  name: 'hmac-sha256',
  version: 'v1',
  secretPrefix: PREFIX,
  publicPrefix: PREFIX,
  symmetric: true,
  secretFormat: 'base64 of 24 to 64 bytes, optionally prefixed whsec_',
  keyFormat: 'base64, with or without whsec_',

  /** 24 random bytes, as Svix issues them. */
  generate: () => PREFIX + randomBytes(24).toString('base64'),

  /** The form and key length Standard Webhooks asks for (24 to 64 bytes). */
  isValid(secret: string): boolean {
    if (!SECRET_FORMAT.test(secret)) return false;
    const length = secretKey(secret).length;
    return length >= 24 && length <= 64;
  },

  isValidKey: (key: string) => KEY_FORMAT.test(key),

  sign: (secret: string, content: string | Buffer) => `v1,${createHmac('sha256', secretKey(secret)).update(content).digest('base64')}`,

  verify(key: string, content: string | Buffer, signature: string): boolean {
    const expected = Buffer.from(hmacSha256Scheme.sign(key, content));
    const given = Buffer.from(signature);
    // Lengths are public; the comparison of equal lengths takes the same time wherever they differ.
    return given.length === expected.length && timingSafeEqual(given, expected);
  },

  customerKey: (secret: string) => secret,
} as const satisfies SigningScheme;
