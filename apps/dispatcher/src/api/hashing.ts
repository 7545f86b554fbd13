import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256, hex: how tokens and idempotency keys are stored (never as given). */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Compares two tokens in constant time (compares their hashes, so lengths do not leak either). */
export function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(given), 'hex'), Buffer.from(sha256(expected), 'hex'));
}
