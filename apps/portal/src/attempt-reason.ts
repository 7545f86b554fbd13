import { STATUS, type Attempt } from './portal.api.js';
import { formatDuration } from './portal.format.js';

/** Why an attempt went as it did, in a few words (`summary`), with a piece of what the receiver said (`detail`). */
export interface AttemptReason {
  summary: string;
  detail?: string;
}

/** How much of a response body a row shows; the whole body is on the message's page. */
const SNIPPET_LENGTH = 80;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * What the connection errors the dispatcher records (`CODE: message`, from Node) mean to the receiver's
 * owner. TLS codes are many; those not listed read as a failed handshake.
 */
const CONNECTION_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection closed by the receiver',
  EPIPE: 'Connection closed by the receiver',
  ETIMEDOUT: 'Timed out connecting',
  ECONNABORTED: 'Connection aborted',
  EHOSTUNREACH: 'Host unreachable',
  ENETUNREACH: 'Network unreachable',
  ENOTFOUND: 'Host name not found (DNS)',
  EAI_AGAIN: 'Host name lookup failed (DNS)',
  CERT_HAS_EXPIRED: 'TLS: the certificate has expired',
  CERT_NOT_YET_VALID: 'TLS: the certificate is not valid yet',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS: self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS: self-signed certificate in the chain',
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS: the certificate does not match the host name",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS: the certificate is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'TLS: the certificate is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS: the certificate is not trusted',
};

/**
 * The reason for an attempt's outcome, from what the dispatcher recorded: the status line and the start
 * of the body for an answer, else the connection error, which it records as the response text with
 * status code 0 (`timeout after N ms`, `ECONNREFUSED: connect …`, `refused: …; no request was made`, `transformation failed: …`).
 */
export function attemptReason(attempt: Pick<Attempt, 'status' | 'responseStatusCode' | 'response'>): AttemptReason {
  const code = attempt.responseStatusCode;
  const text = attempt.response.trim();
  if (attempt.status === STATUS.canceled) return { summary: /transformation/.test(text) ? 'Cancelled by the transformation' : 'Cancelled before it was sent' };
  if (code > 0) return { summary: [code, STATUS_TEXT[code]].filter(Boolean).join(' '), detail: snippet(attempt.response) };
  // The endpoint's own transformation: its reason (what the code did) is the customer's to read.
  const transformation = /^transformation failed: (.*)$/s.exec(text);
  if (transformation) return { summary: 'Not sent: the transformation failed', detail: snippet(transformation[1]) };
  const timeout = /^timeout after (\d+) ms/.exec(text);
  if (timeout) return { summary: `Timed out after ${formatDuration(Number(timeout[1]))}` };
  // The destination policy's refusal: its detail is the operator's (address ranges), not the customer's.
  if (/^refused: .*no request was made$/s.test(text)) return { summary: 'Not sent: this address is not allowed' };
  const errorCode = /^([A-Z][A-Z0-9_]+): /.exec(text)?.[1];
  // A known error says it all; the message of another is the best clue there is.
  if (errorCode && CONNECTION_ERRORS[errorCode]) return { summary: CONNECTION_ERRORS[errorCode] };
  if (errorCode && /CERT|TLS|SSL|EPROTO/.test(errorCode)) return { summary: 'TLS handshake failed', detail: snippet(text) };
  return { summary: 'No response', detail: snippet(text) };
}

/** The start of a body on one line: markup dropped, spaces collapsed, cut with an ellipsis. */
function snippet(body: string): string | undefined {
  const text = body
    .replace(/<(script|style)\b[^]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) return undefined;
  return text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH - 1).trimEnd()}…` : text;
}
