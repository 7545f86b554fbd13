import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** What a `@WebhookHandler` method gets besides the payload. */
export interface WebhookContext {
  /** The message id: `webhook-id` (or `svix-id`), or for the body-HMAC scheme the configured field or header. */
  id: string;
  /** The signed timestamp; for the body-HMAC scheme, which signs none, the time of receipt. */
  timestamp: Date;
  type: string;
  /** The body exactly as it arrived, which is what was verified. */
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
  /** 1 on the first run; counts up when a queued delivery is retried. */
  attempt: number;
}

/** What `WebhookSignatureGuard` leaves on a request it let through. */
export interface VerifiedWebhook {
  rawBody: Buffer;
  payload: unknown;
  /** Standard Webhooks only: the signed id and timestamp. */
  signed?: { id: string; timestamp: Date };
  receivedAt: Date;
}

export const VERIFIED_WEBHOOK = Symbol('homing.verifiedWebhook');

/** A request as the receiver sees it, whichever parser (ours, or Nest's with `rawBody: true`) ran. */
export interface ReceivedRequest extends IncomingMessage {
  rawBody?: Buffer;
  body?: unknown;
  params?: Record<string, string>;
  [VERIFIED_WEBHOOK]?: VerifiedWebhook;
}
