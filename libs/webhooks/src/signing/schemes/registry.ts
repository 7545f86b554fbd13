import { ed25519Scheme } from './ed25519.scheme.js';
import { hmacSha256Scheme } from './hmac-sha256.scheme.js';
import type { SigningScheme } from './signing-scheme.js';

/** Every signing scheme Homing knows; a new one is its own file and one entry here. */
const SCHEMES = [hmacSha256Scheme, ed25519Scheme] as const satisfies readonly SigningScheme[];

/** The names the `defaultSignature` option takes. */
export type SigningSchemeName = (typeof SCHEMES)[number]['name'];

/** A text without a known prefix is an HMAC key, as the Standard Webhooks libraries take a bare secret. */
const BARE = hmacSha256Scheme;

/** The scheme a secret Homing signs with belongs to, by its prefix. */
export function schemeOfSecret(secret: string): SigningScheme {
  return SCHEMES.find((scheme) => secret.startsWith(scheme.secretPrefix)) ?? BARE;
}

/** The scheme a receiver's verifying key (a shared secret or a public key) belongs to, by its prefix. */
export function schemeOfKey(key: string): SigningScheme {
  return SCHEMES.find((scheme) => key.startsWith(scheme.publicPrefix)) ?? BARE;
}

/** The scheme of that name; an unknown name throws, listing the known ones. */
export function signingScheme(name: string): SigningScheme {
  const scheme = SCHEMES.find((candidate) => candidate.name === name);
  if (!scheme) throw new Error(`expected one of ${SCHEMES.map((candidate) => candidate.name).join(', ')}, got ${JSON.stringify(name)}`);
  return scheme;
}

/** How each scheme's secret is written, for documentation. */
export const SECRET_FORMATS = SCHEMES.map((scheme) => scheme.secretFormat);

/** How each scheme's verifying key is written, for documentation and a receiver's configuration errors. */
export const KEY_FORMATS = SCHEMES.map((scheme) => scheme.keyFormat);
