import type { EndpointEntity, PreviousSecret } from '../entities/endpoint.entity.js';

/** The secrets that sign a delivery made at `at`: the current one, then those still in their grace period. */
export function signingSecrets(endpoint: Pick<EndpointEntity, 'secret' | 'previousSecrets'>, at = new Date()): string[] {
  return [endpoint.secret, ...unexpired(endpoint.previousSecrets, at).map((previous) => previous.secret)];
}

/** Previous secrets that still sign at `at`. */
export function unexpired(previousSecrets: readonly PreviousSecret[] | null, at: Date): PreviousSecret[] {
  return (previousSecrets ?? []).filter((previous) => Date.parse(previous.expiresAt) > at.getTime());
}
