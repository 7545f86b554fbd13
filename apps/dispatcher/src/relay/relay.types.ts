/** One request an inbox received, as the listener gets it: the body as base64, so bytes arrive unchanged. */
export interface RelayedRequest {
  id: string;
  receivedAt: string;
  method: string;
  /** What followed the inbox id in the URL, query included (`/` when nothing did). */
  path: string;
  headers: Record<string, string | string[]>;
  body: string;
}

/** What the listener's local server answered, or why it could not. */
export interface RelayReply {
  status: number;
  headers?: Record<string, string>;
  /** base64 */
  body?: string;
  durationMs: number;
  error?: string;
}
