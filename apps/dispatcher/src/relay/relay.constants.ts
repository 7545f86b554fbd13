/** Settings of the relay inbox (`homing listen`), from the dispatcher's configuration. */
export interface RelayOptions {
  redisUrl: string;
  /** Redis key prefix, shared with the delivery queue. */
  keyPrefix: string;
}

export const RELAY_OPTIONS = Symbol('HOMING_RELAY_OPTIONS');

/** Public inbox URLs: `/relay/<inbox id>`, plus any path after it. */
export const RELAY_PATH = 'relay';
export const INBOX_ID_PREFIX = 'rly_';
/** Requests an inbox keeps for inspection. */
export const RELAY_HISTORY = 50;
/** An inbox unused this long is forgotten. */
export const RELAY_INBOX_TTL_S = 30 * 24 * 3600;
/** How long a relayed request waits for the listener's answer; under the delivery timeout so the sender hears why. */
export const RELAY_REPLY_TIMEOUT_MS = 12_000;
/** A comment on the event stream this often keeps idle connections (and proxies) open. */
export const RELAY_HEARTBEAT_MS = 15_000;
