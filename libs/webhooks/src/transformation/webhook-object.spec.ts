import { describe, expect, it } from 'vitest';
import { transformedRequest, webhookInput } from './webhook-object.js';

const JSON_SOURCE = { eventType: 'order.paid', payload: '{ "id": "ord_1",\n  "total": 1.50 }', contentType: null };
const URL = 'https://hooks.example.com/orders';
const output = (fields: Record<string, unknown> = {}) => ({ method: 'POST', url: URL, headers: {}, cancel: false, payload: '{"id":"ord_1"}', ...fields });

describe('the webhook object', () => {
  it('carries the stored JSON payload as its text, unparsed, and other text as a string', () => {
    const input = webhookInput(JSON_SOURCE, URL);
    expect(input).toContain('"payload":{ "id": "ord_1",\n  "total": 1.50 }');
    expect(JSON.parse(input)).toEqual({ eventType: 'order.paid', method: 'POST', url: URL, cancel: false, headers: {}, payload: { id: 'ord_1', total: 1.5 } });
    expect(JSON.parse(webhookInput({ eventType: 'a.b', payload: '<a>"</a>', contentType: 'text/xml' }, URL)).payload).toBe('<a>"</a>');
  });

  it('keeps what the handler took away as it was given, except the payload', () => {
    expect(transformedRequest({ method: undefined, url: undefined, headers: undefined, cancel: undefined, payload: '{}' }, JSON_SOURCE, URL, 100)).toEqual({
      kind: 'send',
      request: { method: 'POST', url: URL, headers: {}, body: '{}', contentType: null },
    });
    expect(transformedRequest(output({ headers: null }), JSON_SOURCE, URL, 100)).toMatchObject({ kind: 'send', request: { headers: {} } });
    expect(transformedRequest(output({ payload: null }), JSON_SOURCE, URL, 100)).toEqual({ kind: 'failed', reason: 'the webhook it returned has no payload' });
  });

  it('cancels without judging the rest, which is never sent', () => {
    expect(transformedRequest(output({ cancel: true, method: 'GET', url: 'nowhere' }), JSON_SOURCE, URL, 100)).toEqual({ kind: 'cancel' });
  });

  it('counts the payload limit in bytes', () => {
    expect(transformedRequest(output({ payload: '"éé"' }), JSON_SOURCE, URL, 6)).toMatchObject({ kind: 'send' });
    expect(transformedRequest(output({ payload: '"ééé"' }), JSON_SOURCE, URL, 6)).toEqual({ kind: 'failed', reason: 'the payload it returned is 8 bytes; the limit is 6 bytes' });
  });
});
