import { WebhookController, WebhookHandler, WebhooksModule, type WebhookContext } from '@homing/webhooks';
import { generateSecret } from '@homing/webhooks/internal';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextId, PLATFORMS, post, type PostResult, type ReceiverTestApp, standardHeaders, startReceiverApp, svixHeaders } from '../support/receiver-app.js';

interface Call {
  handler: string;
  payload: unknown;
  ctx: WebhookContext;
}

const calls: Call[] = [];
let flakyFailures = 0;

@WebhookController('webhooks/orders')
class OrderWebhooks {
  @WebhookHandler('order.completed')
  completed(payload: unknown, ctx: WebhookContext) {
    calls.push({ handler: 'completed', payload, ctx });
  }

  @WebhookHandler('order.*')
  anyOrder(payload: unknown, ctx: WebhookContext) {
    calls.push({ handler: 'anyOrder', payload, ctx });
  }

  @WebhookHandler('product.*')
  async product(payload: unknown, ctx: WebhookContext) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    calls.push({ handler: 'product', payload, ctx });
  }

  @WebhookHandler('order.flaky')
  flaky(payload: unknown, ctx: WebhookContext) {
    if (flakyFailures > 0) {
      flakyFailures -= 1;
      throw new Error('database unavailable');
    }
    calls.push({ handler: 'flaky', payload, ctx });
  }
}

describe.each(PLATFORMS)('receiving Standard Webhooks deliveries on %s', (platform) => {
  const oldSecret = generateSecret();
  const newSecret = generateSecret();
  let receiver: ReceiverTestApp;
  let url: string;
  const responses: PostResult[] = [];

  const send = async (body: string, headers: Record<string, string>) => {
    const result = await post(url, body, headers);
    responses.push(result);
    return result;
  };
  const body = (type: string, data: object = { id: 7 }) => JSON.stringify({ type, timestamp: new Date().toISOString(), data });

  beforeAll(async () => {
    // Two secrets during a rotation; the new one given without its whsec_ prefix.
    receiver = await startReceiverApp({
      imports: [WebhooksModule.forReceiver({ secret: [oldSecret, newSecret.slice('whsec_'.length)] })],
      controllers: [OrderWebhooks],
    }, {}, platform);
    url = receiver.url('webhooks/orders');
  });

  afterAll(async () => {
    await receiver?.close();
  });

  beforeEach(() => {
    calls.length = 0;
    flakyFailures = 0;
  });

  it('runs every matching handler with the payload and a context holding id, timestamp, type and the raw body', async () => {
    const raw = '{ "type": "order.completed",\n  "data": {"id": 7, "name": "Zoë 🚀", "n": 1.50} }';
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const id = nextId();

    const result = await send(raw, svixHeaders(newSecret, raw, { id, at }));

    expect(result.status).toBe(200);
    expect(result.json).toEqual({ id, type: 'order.completed', handled: 2 });
    expect(calls.map((call) => call.handler).sort()).toEqual(['anyOrder', 'completed']);
    const { payload, ctx } = calls[0];
    expect(payload).toEqual(JSON.parse(raw));
    expect(ctx).toMatchObject({ id, type: 'order.completed', timestamp: at, attempt: 1 });
    expect(ctx.rawBody.toString('utf8')).toBe(raw);
  });

  it('accepts webhook-* headers signed by the standardwebhooks package, and routes a wildcard pattern', async () => {
    const raw = body('product.price_changed');
    const result = await send(raw, standardHeaders(oldSecret, raw));
    expect(result.status).toBe(200);
    expect(calls.map((call) => call.handler)).toEqual(['product']);
  });

  it('accepts any of the configured secrets during a rotation, and any one valid signature among several', async () => {
    const raw = body('order.completed');
    expect((await send(raw, svixHeaders(oldSecret, raw))).status).toBe(200);
    expect((await send(raw, svixHeaders(newSecret, raw))).status).toBe(200);

    const id = nextId();
    const at = new Date();
    const stranger = svixHeaders(generateSecret(), raw, { id, at });
    const current = svixHeaders(newSecret, raw, { id, at });
    stranger['svix-signature'] = `${stranger['svix-signature']} ${current['svix-signature']}`;
    expect((await send(raw, stranger)).status).toBe(200);
    expect(calls).toHaveLength(6);
  });

  it('refuses a tampered body and a wrong secret with 401, running nothing', async () => {
    const raw = body('order.completed', { id: 7, total: 100 });
    const tampered = await send(raw.replace('100', '1'), svixHeaders(newSecret, raw));
    const wrongSecret = await send(raw, svixHeaders(generateSecret(), raw));

    for (const result of [tampered, wrongSecret]) {
      expect(result.status).toBe(401);
      expect(result.json).toMatchObject({ statusCode: 401, message: 'no valid signature' });
    }
    expect(calls).toHaveLength(0);
  });

  it('refuses stale and future timestamps beyond five minutes', async () => {
    const raw = body('order.completed');
    const stale = await send(raw, svixHeaders(newSecret, raw, { at: new Date(Date.now() - 6 * 60_000) }));
    const future = await send(raw, svixHeaders(newSecret, raw, { at: new Date(Date.now() + 6 * 60_000) }));
    const withinTolerance = await send(raw, svixHeaders(newSecret, raw, { at: new Date(Date.now() - 4 * 60_000) }));

    expect(stale).toMatchObject({ status: 401, json: { message: 'timestamp too old' } });
    expect(future).toMatchObject({ status: 401, json: { message: 'timestamp in the future' } });
    expect(withinTolerance.status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it('refuses requests missing a signature header, naming it', async () => {
    const raw = body('order.completed');
    const signed = standardHeaders(newSecret, raw);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const { [name]: _left, ...headers } = signed;
      const result = await send(raw, headers);
      expect(result).toMatchObject({ status: 401, json: { message: `missing ${name} header` } });
    }
    expect((await send(raw, {})).status).toBe(401);
    expect(calls).toHaveLength(0);
  });

  it('acknowledges a message id it has seen without running the handlers again', async () => {
    const raw = body('order.completed');
    const id = nextId();
    const first = await send(raw, svixHeaders(newSecret, raw, { id }));
    const again = await send(raw, svixHeaders(newSecret, raw, { id }));

    expect(first.status).toBe(200);
    expect(again).toMatchObject({ status: 200, json: { id, duplicate: true } });
    expect(calls).toHaveLength(2);
  });

  it('answers 2xx to a type no handler takes, running nothing', async () => {
    const raw = body('invoice.paid');
    const result = await send(raw, svixHeaders(newSecret, raw));
    expect(result).toMatchObject({ status: 200, json: { type: 'invoice.paid', handled: 0 } });
    expect(calls).toHaveLength(0);
  });

  it('answers 5xx when a handler throws, still runs the others, and runs them again on the retry of the same id', async () => {
    flakyFailures = 1;
    const raw = body('order.flaky');
    const id = nextId();

    const failed = await send(raw, svixHeaders(newSecret, raw, { id }));
    expect(failed).toMatchObject({ status: 500, json: { message: 'webhook handler failed' } });
    expect(calls.map((call) => call.handler)).toEqual(['anyOrder']);

    const retried = await send(raw, svixHeaders(newSecret, raw, { id }));
    expect(retried).toMatchObject({ status: 200, json: { handled: 2 } });
    expect(calls.map((call) => call.handler)).toEqual(['anyOrder', 'anyOrder', 'flaky']);
  });

  it('answers 400 to a correctly signed body that is not JSON or has no type', async () => {
    const malformed = '{"type": "order.completed", ';
    const untyped = JSON.stringify({ data: { id: 7 } });
    // Fastify's own JSON parser refuses it first, with its own message.
    expect(await send(malformed, svixHeaders(newSecret, malformed))).toMatchObject({ status: 400, ...(platform === 'express' ? { json: { message: 'body is not valid JSON' } } : {}) });
    expect(await send(untyped, svixHeaders(newSecret, untyped))).toMatchObject({ status: 400, json: { message: 'no event type in payload field "type"' } });
    expect(calls).toHaveLength(0);
  });

  it('answers 413 to a body over the default 1 MB limit, declared or streamed', async () => {
    const raw = body('order.completed', { blob: 'x'.repeat(1_100_000) });
    expect((await send(raw, svixHeaders(newSecret, raw))).status).toBe(413);

    // Chunked, without a content-length: the limit is found while reading.
    const bytes = new TextEncoder().encode(raw);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 64 * 1024) controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
        controller.close();
      },
    });
    const headers = { 'content-type': 'application/json', ...svixHeaders(newSecret, raw) };
    const streamed = await fetch(url, { method: 'POST', body: chunks, duplex: 'half', headers } as RequestInit);
    // On Fastify its own body limit (also 1 MiB by default) answers.
    expect(await streamed.json()).toMatchObject({ statusCode: 413, ...(platform === 'express' ? { message: 'body larger than 1048576 bytes' } : {}) });
    expect(calls).toHaveLength(0);
  });

  it('never puts secret material in a response', () => {
    expect(responses.length).toBeGreaterThan(20);
    const keys = [oldSecret, newSecret].map((secret) => secret.slice('whsec_'.length));
    for (const { body: text } of responses) {
      for (const key of keys) expect(text).not.toContain(key);
    }
  });
});
