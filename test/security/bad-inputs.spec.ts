import { beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_TOKEN, useDispatcher } from '../support/dispatcher-app.js';

interface Answer {
  status: number;
  body: { code?: string; detail?: string | { loc: string[]; msg: string }[] };
}

const url = 'http://127.0.0.2:9/hook';
/** JSON text of `levels` arrays nested in one another. */
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const DAY_MS = 24 * 3600_000;

/**
 * Each bad input tried through the HTTP API: method, path (`{app}` and `{ep}` name the fixtures), body,
 * the status it must answer, and what its message must say.
 */
const BAD_INPUTS: [string, number, RegExp, string, string, unknown][] = [
  ['an endpoint URL that is not http(s)', 422, /url must be an http or https URL/, 'POST', '/app/{app}/endpoint', { url: 'ftp://127.0.0.2/x' }],
  ['an endpoint URL longer than 2048 characters', 422, /url must be a string of 1 to 2048 characters/, 'POST', '/app/{app}/endpoint', { url: `http://127.0.0.2/${'a'.repeat(2048)}` }],
  ['an endpoint URL with a decimal IP host', 422, /url must be an http or https URL/, 'POST', '/app/{app}/endpoint', { url: 'http://2130706433/' }],
  ['an endpoint URL to loopback', 422, /127\.0\.0\.1 is a loopback address/, 'POST', '/app/{app}/endpoint', { url: 'http://127.0.0.1:8080/' }],
  ['an endpoint URL to localhost', 422, /host "localhost" resolves to a forbidden address/, 'POST', '/app/{app}/endpoint', { url: 'http://localhost:8080/' }],
  ['an endpoint URL to the cloud metadata address', 422, /169\.254\.169\.254 is a cloud metadata address/, 'POST', '/app/{app}/endpoint', { url: 'http://169.254.169.254/latest/meta-data/' }],
  ['an endpoint URL to a private address', 422, /private address \(10\.0\.0\.0\/8\)/, 'POST', '/app/{app}/endpoint', { url: 'http://10.1.2.3/hook' }],
  ['an endpoint URL to carrier-grade NAT', 422, /carrier-grade NAT/, 'POST', '/app/{app}/endpoint', { url: 'http://100.64.0.1/hook' }],
  ['an endpoint URL to an IPv6 unique local address', 422, /unique local/, 'POST', '/app/{app}/endpoint', { url: 'http://[fc00::1]/hook' }],
  ['an endpoint URL to an IPv4-mapped loopback', 422, /\(127\.0\.0\.1\) is a loopback address/, 'POST', '/app/{app}/endpoint', { url: 'http://[::ffff:127.0.0.1]/' }],
  ['an endpoint URL to an IPv4-translated loopback', 422, /::ffff:0:7f00:1 \(127\.0\.0\.1\) is a loopback address/, 'POST', '/app/{app}/endpoint', { url: 'http://[::ffff:0:127.0.0.1]/' }],
  ['an endpoint URL to an IPv4-translated metadata address in hex', 422, /\(169\.254\.169\.254\) is a cloud metadata address/, 'POST', '/app/{app}/endpoint', { url: 'http://[0:0:0:0:ffff:0:a9fe:a9fe]/latest/' }],
  ['an endpoint moved to a forbidden URL', 422, /cloud metadata address/, 'PATCH', '/app/{app}/endpoint/{ep}', { url: 'http://169.254.169.254/' }],
  ['an endpoint header "Host"', 422, /"Host" is reserved/, 'POST', '/app/{app}/endpoint', { url, headers: { Host: 'internal.example' } }],
  ['an endpoint header "content-length"', 422, /"content-length" is reserved/, 'POST', '/app/{app}/endpoint', { url, headers: { 'content-length': '0' } }],
  ['an endpoint header "Content-Type"', 422, /"Content-Type" is reserved/, 'POST', '/app/{app}/endpoint', { url, headers: { 'Content-Type': 'text/plain' } }],
  ['an endpoint header "transfer-encoding"', 422, /"transfer-encoding" is reserved/, 'POST', '/app/{app}/endpoint', { url, headers: { 'transfer-encoding': 'chunked' } }],
  ['an endpoint header "connection"', 422, /"connection" is reserved/, 'POST', '/app/{app}/endpoint', { url, headers: { connection: 'close' } }],
  ['an endpoint header "user-agent"', 422, /"user-agent" is reserved/, 'POST', '/app/{app}/endpoint', { url, headers: { 'user-agent': 'me' } }],
  ['an endpoint header "webhook-signature"', 422, /"webhook-signature" is reserved/, 'POST', '/app/{app}/endpoint', { url, headers: { 'webhook-signature': 'v1,x' } }],
  ['an endpoint header of the webhook-* family', 422, /"Webhook-Version" is reserved/, 'PUT', '/app/{app}/endpoint/{ep}/headers', { headers: { 'Webhook-Version': '2' } }],
  ['an endpoint header of the svix-* family', 422, /"svix-anything" is reserved/, 'PUT', '/app/{app}/endpoint/{ep}/headers', { headers: { 'svix-anything': '1' } }],
  ['an endpoint header value with CR/LF', 422, /value of "x-tenant" must be a string without line breaks/, 'PUT', '/app/{app}/endpoint/{ep}/headers', { headers: { 'x-tenant': 'a\r\nx-injected: 1' } }],
  ['an endpoint header name with a space', 422, /"x tenant" is not a valid header name/, 'POST', '/app/{app}/endpoint', { url, headers: { 'x tenant': 'a' } }],
  ['an endpoint uid with spaces', 422, /uid must match/, 'POST', '/app/{app}/endpoint', { url, uid: 'my endpoint' }],
  ['an endpoint uid of 257 characters', 422, /uid must match/, 'POST', '/app/{app}/endpoint', { url, uid: 'u'.repeat(257) }],
  ['an endpoint secret too short', 422, /secret must be base64 of 24 to 64 bytes/, 'POST', '/app/{app}/endpoint', { url, secret: 'whsec_abc' }],
  ['a duplicate endpoint uid', 409, /an endpoint with uid "taken" already exists/, 'POST', '/app/{app}/endpoint', { url, uid: 'taken' }],
  ['an application uid with a slash', 422, /uid must match/, 'POST', '/app', { name: 'x', uid: 'a/b' }],
  ['an event type with a space', 422, /eventType must be an event type name/, 'POST', '/app/{app}/msg', { eventType: 'order completed', payload: {} }],
  ['an event type name of 257 characters', 422, /name must be an event type name/, 'POST', '/event-type', { name: `a${'.b'.repeat(128)}`, description: 'long' }],
  ['a payload over HOMING_MAX_PAYLOAD (1 kB here)', 413, /the payload is 1\d{3} bytes; the limit is 1024 bytes/, 'POST', '/app/{app}/msg', { eventType: 'order.completed', payload: { text: 'x'.repeat(1100) } }],
  ['a body far over the payload limit', 413, /request entity too large/, 'POST', '/app/{app}/msg', { eventType: 'order.completed', payload: { text: 'x'.repeat(200_000) } }],
  ['a payload that is not an object', 422, /payload must be a JSON object/, 'POST', '/app/{app}/msg', { eventType: 'order.completed', payload: 'text' }],
  ['a message eventId with spaces', 422, /eventId must match/, 'POST', '/app/{app}/msg', { eventType: 'order.completed', payload: {}, eventId: 'order 1' }],
  ['a message to an unknown application', 404, /not found/, 'POST', '/app/app_unknown/msg', { eventType: 'a.b', payload: {} }],
  ['an unknown endpoint', 404, /endpoint "ep_unknown" not found/, 'GET', '/app/{app}/endpoint/ep_unknown', undefined],
  ['a list limit of 0', 422, /limit/, 'GET', '/app/{app}/endpoint?limit=0', undefined],
  ['a list limit of 251', 422, /limit/, 'GET', '/app/{app}/endpoint?limit=251', undefined],
  ['a list limit that is not a number', 422, /limit/, 'GET', '/app/{app}/msg?limit=many', undefined],
  ['a list iterator the API never gave', 422, /iterator/, 'GET', '/app/{app}/endpoint?iterator=bm9wZQ', undefined],
  ['a body that is not JSON', 400, /./, 'POST', '/app', '{"name": '],
  // Issue 12, item 5: each of these was a 500.
  ['a payload nested 3,000 levels', 422, /body\.payload: .*deeper than 128 levels/, 'POST', '/app/{app}/msg', `{"eventType":"order.completed","payload":{"a":${nested(3000)}}}`],
  ['application metadata nested 30,000 levels', 422, /body\.metadata: .*deeper than 128 levels/, 'POST', '/app', `{"name":"deep","metadata":{"a":${nested(30_000)}}}`],
  ['event type schemas nested 30,000 levels', 422, /body\.schemas: .*deeper than 128 levels/, 'POST', '/event-type', `{"name":"deep","description":"d","schemas":{"1":${nested(30_000)}}}`],
  ['event type schemas nested 32 levels (MariaDB keeps 31)', 422, /body\.schemas: schemas must be a JSON object nested at most 31 levels/, 'PATCH', '/event-type/deep.schemas', `{"schemas":{"1":${nested(31)}}}`],
  ['a throttleRate of 2^31', 422, /body\.throttleRate: throttleRate must be a whole number from 1 to 65535/, 'POST', '/app', { name: 'x', throttleRate: 2 ** 31 }],
  ['an endpoint throttleRate of 65,536 (Svix: a uint16)', 422, /body\.throttleRate: throttleRate must be a whole number from 1 to 65535/, 'PATCH', '/app/{app}/endpoint/{ep}', { throttleRate: 65_536 }],
  ['a deliverAt in year 10000', 422, /body\.deliverAt: deliverAt must be an ISO 8601 date and time/, 'POST', '/app/{app}/msg', { eventType: 'order.completed', payload: {}, deliverAt: '+010000-01-01T00:00:00Z' }],
  ['a deliverAt more than 90 days ahead', 422, /body\.deliverAt: deliverAt must be at most 90 days ahead/, 'POST', '/app/{app}/msg', { eventType: 'order.completed', payload: {}, deliverAt: new Date(Date.now() + 91 * DAY_MS) }],
  ['an event type featureFlag of 300 characters', 422, /body\.featureFlag: featureFlag must be a string of 1 to 256 characters/, 'POST', '/event-type', { name: 'flagged', description: 'd', featureFlag: 'f'.repeat(300) }],
  ['an application name of 257 characters, 256 of them variation selectors', 422, /body\.name: name must be a string of 1 to 256 characters/, 'POST', '/app', { name: `n${'\uFE0F'.repeat(256)}` }],
  ['a payloadRetentionPeriod of 3,000,000 days', 422, /body\.payloadRetentionPeriod: payloadRetentionPeriod must be a whole number from 1 to 90/, 'POST', '/app/{app}/msg', { eventType: 'order.completed', payload: {}, payloadRetentionPeriod: 3_000_000 }],
  ['a payloadRetentionPeriod of 2^31-1 days', 422, /body\.payloadRetentionPeriod: payloadRetentionPeriod must be a whole number from 1 to 90/, 'POST', '/app/{app}/msg', { eventType: 'order.completed', payload: {}, payloadRetentionPeriod: 2 ** 31 - 1 }],
  // Found by test/security/fuzz.spec.ts: each was a 500.
  ['a null envelope (a NOT NULL column) on an application replaced', 422, /body\.envelope: envelope must be a boolean value/, 'PUT', '/app/{app}', { name: 'x', envelope: null }],
  ['a null disabled on an endpoint patched', 422, /body\.disabled: disabled must be a boolean value/, 'PATCH', '/app/{app}/endpoint/{ep}', { disabled: null }],
  ['a null archived on an event type patched', 422, /body\.archived: archived must be a boolean value/, 'PATCH', '/event-type/deep.schemas', { archived: null }],
  ['metadata with a "constructor" member holding an object', 422, /body\.metadata: metadata must be an object of string values/, 'POST', '/app', { name: 'x', metadata: { constructor: { prototype: {} } } }],
  ['a name that is an object with a "constructor" member', 422, /body\.name: name must be a string/, 'POST', '/app', { name: { constructor: 1 } }],
];

describe('bad inputs through the HTTP API get a clear error with the right status', () => {
  const h = useDispatcher({ HOMING_MAX_PAYLOAD: '1kb', HOMING_WORKER: 'false', HOMING_ALLOWED_CIDRS: '127.0.0.2/32' });
  const ids = { app: '', ep: '' };

  async function call(method: string, path: string, body: unknown): Promise<Answer> {
    const response = await fetch(`${h.dispatcher.url}/api/v1${path.replace('{app}', ids.app).replace('{ep}', ids.ep)}`, {
      method,
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: Answer['body'] = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { detail: text };
    }
    return { status: response.status, body: parsed };
  }

  beforeAll(async () => {
    const app = await call('POST', '/app', { name: 'Bad inputs' });
    ids.app = (app.body as { id: string }).id;
    const endpoint = await call('POST', '/app/{app}/endpoint', { url, uid: 'taken', disabled: true });
    expect(endpoint.status).toBe(201);
    ids.ep = (endpoint.body as { id: string }).id;
    expect((await call('POST', '/event-type', { name: 'deep.schemas', description: 'd' })).status).toBe(201);
  });

  it.each(BAD_INPUTS)('%s → %i', async (_what, status, message, method, path, body) => {
    const answer = await call(method, path, body);
    expect(answer.status).toBe(status);
    const detail = Array.isArray(answer.body.detail) ? answer.body.detail.map((field) => `${field.loc.join('.')}: ${field.msg}`).join('; ') : String(answer.body.detail);
    expect(detail).toMatch(message);
  });

  it('accepts a payload of exactly HOMING_MAX_PAYLOAD bytes', async () => {
    const payload = { text: 'x'.repeat(1024 - '{"text":""}'.length) };
    expect(Buffer.byteLength(JSON.stringify(payload))).toBe(1024);
    expect((await call('POST', '/app/{app}/msg', { eventType: 'order.completed', payload })).status).toBe(202);
  });
});
