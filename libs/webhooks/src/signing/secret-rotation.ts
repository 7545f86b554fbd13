/** A secret replaced by a rotation, which keeps signing until its grace period ends. */
export interface PreviousSecret {
  secret: string;
  /** ISO time after which the secret no longer signs. */
  expiresAt: string;
}

/** What an endpoint holds of its secrets. */
export interface RotatingSecrets {
  secret: string;
  previousSecrets: readonly PreviousSecret[] | null;
}

/** The secrets that sign a delivery made at `at`: the current one, then those still in their grace period. */
export function signingSecrets(endpoint: RotatingSecrets, at = new Date()): string[] {
  return [endpoint.secret, ...unexpired(endpoint.previousSecrets, at).map((previous) => previous.secret)];
}

/** Previous secrets that still sign at `at`. */
export function unexpired(previousSecrets: readonly PreviousSecret[] | null, at: Date): PreviousSecret[] {
  return (previousSecrets ?? []).filter((previous) => Date.parse(previous.expiresAt) > at.getTime());
}
