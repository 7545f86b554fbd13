import type { IncomingHttpHeaders } from 'node:http';
import type { RedisOptions } from 'ioredis';

/** What a secret resolver and an event-type function see of the request. */
export interface WebhookRequest {
  headers: IncomingHttpHeaders;
  /** Route parameters, e.g. `tenant` for `@WebhookController('webhooks/:tenant')`. */
  params?: Record<string, string>;
  url?: string;
}

/** One secret, or several at once during a rotation (any one of them verifies). */
export type WebhookSecrets = string | readonly string[];

/** Picks the secret(s) per request, e.g. by tenant; none (undefined or empty) rejects the request. */
export type WebhookSecretResolver = (
  request: WebhookRequest,
) => WebhookSecrets | null | undefined | Promise<WebhookSecrets | null | undefined>;

/** Where to read a value: a top-level payload field, a header, or a function of both. */
export type WebhookValueSource =
  | { field: string }
  | { header: string }
  | ((payload: unknown, request: WebhookRequest) => string | null | undefined);

/**
 * `base64(HMAC-SHA256(secret, raw body))` in one header, as Rye signs (`Rye-Hmac-Signature-V1`).
 * The secret is used as given. Nothing signed carries a timestamp, so replays are caught by message id only.
 */
export interface BodyHmacScheme {
  bodyHmacHeader: string;
}

export interface WebhookReceiverQueueOptions {
  /** Runs of a job before it is left in the failed set. Default 5. */
  attempts?: number;
  /** First retry delay, doubling after each failure. Default `1s`. */
  backoff?: string | number;
  /** Jobs run at once in this process. Default 10. */
  concurrency?: number;
}

export interface WebhookReceiverOptions {
  /**
   * What verifies: the endpoint secret (`whsec_…`, with or without the prefix) or, for an ed25519
   * endpoint, its public key (`whpk_…`); several during a rotation, of either kind; or a function choosing them per request.
   */
  secret: WebhookSecrets | WebhookSecretResolver;
  /** Default Standard Webhooks (`webhook-*` or `svix-*` headers). */
  scheme?: 'standard-webhooks' | BodyHmacScheme;
  /** How far a signed timestamp may be from now, either way. Default `5m`. */
  tolerance?: string | number;
  /** Where the event type is. Default the payload's `type` field. */
  eventType?: WebhookValueSource;
  /** Body-HMAC scheme only (Standard Webhooks signs its own id): where the message id is. Default the payload's `id` field. */
  messageId?: WebhookValueSource;
  /** Largest body accepted on a signed request. Default `1mb`. */
  bodyLimit?: string | number;
  /** How long a message id is remembered to drop duplicates; `false` keeps none. Default `3d`. */
  duplicateWindow?: string | number | false;
  /** Redis (URL or ioredis options): when given, seen message ids are kept there, shared by every instance. */
  redis?: string | RedisOptions;
  /** Key prefix in Redis for seen ids and the queue. Default `homing`. */
  queuePrefix?: string;
  /** Answer 404 to a type no handler takes, instead of 200. Default false. */
  rejectUnknownTypes?: boolean;
}

/** Options after defaults and parsing. */
export interface ResolvedReceiverOptions {
  secrets: (request: WebhookRequest) => Promise<readonly string[]>;
  /** Absent: Standard Webhooks. */
  bodyHmacHeader?: string;
  /** Lower-case names of the headers whose presence marks a request as a signed webhook. */
  signatureHeaders: readonly string[];
  toleranceMs: number;
  eventType: WebhookValueSource;
  messageId: WebhookValueSource;
  bodyLimit: number;
  /** 0: duplicates are not tracked. */
  duplicateWindowMs: number;
  redis?: string | RedisOptions;
  queuePrefix: string;
  queue?: { attempts: number; backoffMs: number; concurrency: number };
  rejectUnknownTypes: boolean;
}
