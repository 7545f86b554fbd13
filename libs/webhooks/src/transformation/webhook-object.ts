import { isJsonMediaType } from '../common/media-type.js';
import { headerMapProblem, isEndpointUrl } from '../inputs/validation.js';
import { TRANSFORMATION_METHODS } from '../webhooks.constants.js';
import type { SandboxOutput } from './transformation.worker.js';

/**
 * Svix's contract for `handler(webhook)`: it gets `{ eventType, payload, method: 'POST', url, cancel: false,
 * headers: {} }` and returns that object, having changed `payload`, `method` (POST, PUT or PATCH), `url`, added
 * `headers` (which take precedence over the endpoint's) or set `cancel`.
 */
export type TransformationMethod = (typeof TRANSFORMATION_METHODS)[number];

/** What a message hands the handler. */
export interface WebhookSource {
  eventType: string;
  /** The stored payload: JSON text, unless `contentType` names another media type. */
  payload: string;
  contentType: string | null;
}

/** What a transformed webhook sends; `body` is the exact text sent, and signed. */
export interface TransformedRequest {
  method: TransformationMethod;
  url: string;
  /** The headers the handler added; the endpoint's own come under them. */
  headers: Record<string, string>;
  body: string;
  /** The body's media type: the message's for text it left a string, else JSON (null). */
  contentType: string | null;
}

export type TransformationResult = { kind: 'send'; request: TransformedRequest } | { kind: 'cancel' } | { kind: 'failed'; reason: string };

/**
 * The webhook object as JSON text. A JSON payload goes in as the text stored, unparsed here; text of another
 * media type goes in as a string.
 */
export function webhookInput(source: WebhookSource, url: string): string {
  const payload = isJsonMediaType(source.contentType) ? source.payload : JSON.stringify(source.payload);
  return `{"eventType":${JSON.stringify(source.eventType)},"method":"POST","url":${JSON.stringify(url)},"cancel":false,"headers":{},"payload":${payload}}`;
}

const shown = (value: unknown) => (value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value)).slice(0, 80));

/**
 * The request a handler's result asks for, or why it cannot be sent. A field the handler took away keeps the
 * value it was given; one of the wrong type fails the run. The URL is held to an endpoint URL's rules here and
 * to the destination policy when it is sent; the payload to `maxPayloadBytes`.
 */
export function transformedRequest(output: SandboxOutput, source: WebhookSource, url: string, maxPayloadBytes: number): TransformationResult {
  const failed = (reason: string): TransformationResult => ({ kind: 'failed', reason });
  if (output.cancel !== undefined && typeof output.cancel !== 'boolean') return failed(`cancel must be true or false, not ${shown(output.cancel)}`);
  if (output.cancel === true) return { kind: 'cancel' };
  const method = output.method ?? 'POST';
  if (!TRANSFORMATION_METHODS.includes(method as TransformationMethod)) return failed(`method must be ${TRANSFORMATION_METHODS.join(', ')}, not ${shown(method)}`);
  const target = output.url ?? url;
  if (!isEndpointUrl(target)) return failed(`url must be an http or https URL of at most 2048 characters, not ${shown(target)}`);
  const headers = output.headers ?? {};
  const problem = headerMapProblem(headers);
  if (problem) return failed(`headers ${problem}`);
  if (output.payload === null) return failed('the webhook it returned has no payload');
  const size = Buffer.byteLength(output.payload);
  if (size > maxPayloadBytes) return failed(`the payload it returned is ${size} bytes; the limit is ${maxPayloadBytes} bytes`);
  // Text of another media type left a string is sent as that text, under its own type.
  const text = !isJsonMediaType(source.contentType) && output.payload.startsWith('"') ? (JSON.parse(output.payload) as string) : null;
  return {
    kind: 'send',
    request: {
      method: method as TransformationMethod,
      url: target,
      headers: headers as Record<string, string>,
      body: text ?? output.payload,
      contentType: text === null ? null : source.contentType,
    },
  };
}
