/** Settings of the HTTP API, from the dispatcher's configuration. */
export interface ApiOptions {
  /** The operator's token (`HOMING_API_TOKEN`): full access. */
  apiToken: string;
  /** Where consumer-portal links point (`HOMING_PORTAL_URL`); the dispatcher's `/portal` when unset. */
  portalUrl?: string;
}

export const API_OPTIONS = Symbol('HOMING_API_OPTIONS');
export const ACCESS_METADATA = 'homing:api-access';

/** Every Svix v1 route lives under this prefix. */
export const API_PREFIX = 'api/v1';
/** Room a request body gets beyond the largest payload (HOMING_MAX_PAYLOAD): the message's other fields. */
export const REQUEST_ENVELOPE_BYTES = 64 * 1024;

/** Portal tokens: `hpt_` and 32 random bytes (base64url). */
export const PORTAL_TOKEN_PREFIX = 'hpt_';
export const PORTAL_TOKEN_DEFAULT_EXPIRY_S = 3600;
export const PORTAL_TOKEN_MAX_EXPIRY_S = 7 * 24 * 3600;

/** How long a POST's response is replayed to retries with the same `idempotency-key`. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** A retry arriving while the first request still runs waits this long for its response. */
export const IDEMPOTENCY_WAIT_MS = 20_000;
/** A first request that has not finished after this long is presumed lost (its process died). */
export const IDEMPOTENCY_ABANDONED_MS = 60_000;
