import { HttpException } from '@nestjs/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type Harness } from '../support/harness.js';

type Call = (h: Harness, ids: { app: string; endpoint: string }) => Promise<unknown>;

/** Allowed below, and never sent to: the app does not deliver. */
const url = 'http://127.0.0.2:9/hook';
const endpointWith = (fields: object): Call => (h, { app }) => h.homing.endpoints.create(app, { url, ...fields } as never);
const message = (fields: object): Call => (h, { app }) => h.homing.producer.send(app, { eventType: 'order.completed', payload: {}, ...fields } as never);

/** Each bad input, the status its exception carries, and what its message must say. */
const BAD_INPUTS: [string, number, RegExp, Call][] = [
  ['an endpoint URL that is not http(s)', 422, /url must be an http or https URL/, endpointWith({ url: 'ftp://127.0.0.1/x' })],
  ['an endpoint URL longer than 2048 characters', 422, /url must be shorter than or equal to 2048 characters/, endpointWith({ url: `http://127.0.0.1/${'a'.repeat(2048)}` })],
  ['an endpoint URL with a decimal IP host', 422, /url must be an http or https URL/, endpointWith({ url: 'http://2130706433/' })],
  ['an endpoint URL to the cloud metadata address', 422, /cloud metadata address/, endpointWith({ url: 'http://169.254.169.254/latest/meta-data/' })],
  ['an endpoint URL to a private address', 422, /private address \(10\.0\.0\.0\/8\)/, endpointWith({ url: 'http://10.1.2.3/hook' })],
  ['an endpoint URL to an IPv4-mapped loopback', 422, /\(127\.0\.0\.1\) is a loopback address/, endpointWith({ url: 'http://[::ffff:127.0.0.1]/' })],
  ['an endpoint header "Host"', 422, /"Host" is reserved/, endpointWith({ headers: { Host: 'internal.example' } })],
  ['an endpoint header "content-length"', 422, /"content-length" is reserved/, endpointWith({ headers: { 'content-length': '0' } })],
  ['an endpoint header "Content-Type"', 422, /"Content-Type" is reserved/, endpointWith({ headers: { 'Content-Type': 'text/plain' } })],
  ['an endpoint header "transfer-encoding"', 422, /"transfer-encoding" is reserved/, endpointWith({ headers: { 'transfer-encoding': 'chunked' } })],
  ['an endpoint header "connection"', 422, /"connection" is reserved/, endpointWith({ headers: { connection: 'close' } })],
  ['an endpoint header "user-agent"', 422, /"user-agent" is reserved/, endpointWith({ headers: { 'user-agent': 'me' } })],
  ['an endpoint header "webhook-signature"', 422, /"webhook-signature" is reserved/, endpointWith({ headers: { 'webhook-signature': 'v1,x' } })],
  ['an endpoint header of the webhook-* family', 422, /"Webhook-Version" is reserved/, endpointWith({ headers: { 'Webhook-Version': '2' } })],
  ['an endpoint header of the svix-* family', 422, /"svix-anything" is reserved/, endpointWith({ headers: { 'svix-anything': '1' } })],
  ['an endpoint header value with CR/LF', 422, /value of "x-tenant" must be a string without line breaks/, endpointWith({ headers: { 'x-tenant': 'a\r\nx-injected: 1' } })],
  ['an endpoint header value with a bare LF', 422, /without line breaks/, endpointWith({ headers: { 'x-tenant': 'a\nb' } })],
  ['an endpoint header name with a space', 422, /"x tenant" is not a valid header name/, endpointWith({ headers: { 'x tenant': 'a' } })],
  ['an endpoint header value that is not a string', 422, /value of "x-count" must be a string/, endpointWith({ headers: { 'x-count': 3 } })],
  ['an endpoint uid with spaces', 422, /uid must match/, endpointWith({ uid: 'my endpoint' })],
  ['an endpoint uid of 257 characters', 422, /uid must match/, endpointWith({ uid: 'u'.repeat(257) })],
  ['an endpoint secret too short', 422, /secret must be base64 of 24 to 64 bytes/, endpointWith({ secret: 'whsec_abc' })],
  ['a duplicate endpoint uid', 409, /an endpoint with uid "taken" already exists/, endpointWith({ uid: 'taken' })],
  ['an application uid with a slash', 422, /uid must match/, (h) => h.homing.applications.create({ name: 'x', uid: 'a/b' })],
  ['an event type with a space', 422, /eventType must be an event type name/, message({ eventType: 'order completed' })],
  ['an event type name of 257 characters', 422, /name must be an event type name/, (h) => h.homing.eventTypes.create({ name: `a${'.b'.repeat(128)}`, description: 'long' })],
  ['a payload over the size limit (1 kB here)', 413, /the payload is 1\d{3} bytes; the limit is 1024 bytes/, message({ payload: { text: 'x'.repeat(1100) } })],
  ['a payload string that is not JSON', 422, /payload given as a string must be JSON text/, message({ payload: '{not json' })],
  ['a message eventId with spaces', 422, /eventId must match/, message({ eventId: 'order 1' })],
  ['a message to an unknown application', 404, /not found/, (h) => h.homing.producer.send('app_unknown', { eventType: 'a.b', payload: {} })],
  ['an endpoint of an unknown application', 404, /not found/, (h) => h.homing.endpoints.create('app_unknown', { url })],
  ['an unknown endpoint', 404, /endpoint "ep_unknown" not found/, (h, { app }) => h.homing.endpoints.get(app, 'ep_unknown')],
  ['a page limit of 0', 422, /limit must be a whole number from 1 to 250/, (h, { app }) => h.homing.endpoints.page(app, { limit: 0 })],
  ['a page limit of 251', 422, /limit must be a whole number from 1 to 250/, (h, { app }) => h.homing.endpoints.page(app, { limit: 251 })],
  ['a page iterator the API never gave', 422, /iterator is not one this API returned/, (h, { app }) => h.homing.endpoints.page(app, { iterator: 'bm9wZQ' })],
];

/** The human-readable part of an exception: its field messages, detail or message. */
function messageOf(error: HttpException): string {
  const body = error.getResponse() as string | { detail?: string | { msg: string }[]; message?: string };
  if (typeof body === 'string') return body;
  if (Array.isArray(body.detail)) return body.detail.map((field) => field.msg).join('; ');
  return body.detail ?? body.message ?? '';
}

describe('bad inputs get a clear error with the right status', () => {
  const h = useHarness({ maxPayloadBytes: '1kb', worker: false, allowedCidrs: ['127.0.0.2/32'] });
  const ids = { app: '', endpoint: '' };

  beforeAll(async () => {
    ids.app = (await h.homing.applications.create({ name: 'Bad inputs' })).id;
    ids.endpoint = (await h.homing.endpoints.create(ids.app, { url, uid: 'taken', disabled: true })).id;
  });

  it.each(BAD_INPUTS)('%s → %i', async (_what, status, message, call) => {
    const error = await call(h, ids).then(
      () => expect.unreachable('accepted'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpException);
    expect((error as HttpException).getStatus()).toBe(status);
    expect(messageOf(error as HttpException)).toMatch(message);
  });

  it('accepts a payload at exactly the limit', async () => {
    const payload = JSON.stringify({ text: 'x'.repeat(1024 - '{"text":""}'.length) });
    expect(Buffer.byteLength(payload)).toBe(1024);
    await expect(h.homing.producer.send(ids.app, { eventType: 'order.completed', payload })).resolves.toMatchObject({ payload });
  });
});
