import { schemeOfSecret, signingScheme, type SigningSchemeName } from './schemes/registry.js';

/** A new endpoint secret of the scheme named: `whsec_` and 24 random bytes by default (as Svix issues them). */
export function generateSecret(scheme: SigningSchemeName = 'hmac-sha256'): string {
  return signingScheme(scheme).generate();
}

/** Whether a caller-chosen secret is well formed for the scheme its prefix names. */
export function isValidSecret(secret: string): boolean {
  return schemeOfSecret(secret).isValid(secret);
}

/** What completes "secret must be …" for a secret that is not valid, per the scheme its prefix names. */
export function secretFormat(secret: unknown): string {
  return schemeOfSecret(typeof secret === 'string' ? secret : '').secretFormat;
}

/** What the customer is shown for a secret and verifies with: the secret itself, or its public key. */
export function customerKey(secret: string): string {
  return schemeOfSecret(secret).customerKey(secret);
}
