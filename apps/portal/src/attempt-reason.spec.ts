import { describe, expect, it } from 'vitest';
import { attemptReason } from './attempt-reason.js';
import { STATUS } from './portal.api.js';

const failed = (responseStatusCode: number, response: string) => attemptReason({ status: STATUS.fail, responseStatusCode, response });

describe('the reason an attempt shows in its row', () => {
  it("gives an answer's status line and the start of its body on one line", () => {
    expect(failed(401, '{"error":"invalid signature"}')).toEqual({ summary: '401 Unauthorized', detail: '{"error":"invalid signature"}' });
    expect(failed(503, '')).toEqual({ summary: '503 Service Unavailable', detail: undefined });
    expect(failed(599, 'odd')).toEqual({ summary: '599', detail: 'odd' });
    expect(failed(502, '<html><head><title>502 Bad Gateway</title><style>h1{}</style></head>\n<body><h1>Bad   Gateway</h1></body></html>').detail).toBe(
      '502 Bad Gateway Bad Gateway',
    );
    const long = failed(500, 'x'.repeat(500)).detail!;
    expect(long).toHaveLength(80);
    expect(long.endsWith('…')).toBe(true);
  });

  it('says in words why no answer came, from what the dispatcher recorded', () => {
    expect(failed(0, 'timeout after 15000 ms')).toEqual({ summary: 'Timed out after 15.0 s' });
    expect(failed(0, 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9')).toEqual({ summary: 'Connection refused' });
    expect(failed(0, 'ENOTFOUND: getaddrinfo ENOTFOUND hooks.example.invalid')).toEqual({ summary: 'Host name not found (DNS)' });
    expect(failed(0, 'ECONNRESET: socket hang up')).toEqual({ summary: 'Connection closed by the receiver' });
    expect(failed(0, 'CERT_HAS_EXPIRED: certificate has expired')).toEqual({ summary: 'TLS: the certificate has expired' });
    expect(failed(0, 'ERR_SSL_WRONG_VERSION_NUMBER: wrong version number')).toEqual({ summary: 'TLS handshake failed', detail: 'ERR_SSL_WRONG_VERSION_NUMBER: wrong version number' });
    expect(failed(0, 'EWHATEVER: something odd')).toEqual({ summary: 'No response', detail: 'EWHATEVER: something odd' });
    expect(failed(0, '')).toEqual({ summary: 'No response', detail: undefined });
  });

  it("keeps the operator's detail of a refused address from the customer", () => {
    expect(failed(0, 'refused: 10.0.0.5 is a private address (10.0.0.0/8), not in the allowed CIDRs; no request was made')).toEqual({
      summary: 'Not sent: this address is not allowed',
    });
  });

  it("gives a failed transformation's reason, which is the endpoint owner's own code's", () => {
    expect(failed(0, 'transformation failed: it ran longer than 100 ms')).toEqual({ summary: 'Not sent: the transformation failed', detail: 'it ran longer than 100 ms' });
    expect(failed(0, "transformation failed: handler threw ReferenceError: 'require' is not defined")).toEqual({
      summary: 'Not sent: the transformation failed',
      detail: "handler threw ReferenceError: 'require' is not defined",
    });
  });

  it('names a cancelled attempt and a success', () => {
    expect(attemptReason({ status: STATUS.canceled, responseStatusCode: 0, response: '' })).toEqual({ summary: 'Cancelled before it was sent' });
    expect(attemptReason({ status: STATUS.canceled, responseStatusCode: 0, response: "canceled by the endpoint's transformation; no request was made" })).toEqual({
      summary: 'Cancelled by the transformation',
    });
    expect(attemptReason({ status: STATUS.success, responseStatusCode: 204, response: '' }).summary).toBe('204 No Content');
  });
});
