import { createHmac } from 'node:crypto';
import { WebhookController, WebhookHandler, WebhooksModule, type WebhookContext } from '@homing/webhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post, type ReceiverTestApp, startReceiverApp } from '../support/receiver-app.js';

const runs: { id: string; type: string; developer: unknown }[] = [];

@WebhookController('rye')
class RyeWebhooks {
  @WebhookHandler('ORDER_PLACED', 'ORDER_FAILED')
  order(_payload: unknown, ctx: WebhookContext) {
    runs.push({ id: ctx.id, type: ctx.type, developer: ctx.headers['rye-verification'] });
  }
}

/** Signed here with node:crypto, independently of the library: base64 HMAC-SHA256 of the body, keyed by the secret as given. */
const ryeSignature = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64');

describe('body-HMAC scheme as Rye signs', () => {
  const secret = 'rye-hmac-secret-key-2026';
  const previous = 'rye-hmac-secret-key-2025';
  let receiver: ReceiverTestApp;
  const send = (body: string, signature: string | undefined) =>
    post(receiver.url('rye'), body, { 'rye-verification': 'dev_42', ...(signature ? { 'Rye-Hmac-Signature-V1': signature } : {}) });
  const event = (id: string, type = 'ORDER_PLACED') =>
    JSON.stringify({ id, developerId: 'dev_42', createdAt: new Date().toISOString(), type, data: { orderId: 'ord_1' } });

  beforeAll(async () => {
    receiver = await startReceiverApp({
      imports: [WebhooksModule.forReceiver({ secret: [secret, previous], scheme: { bodyHmacHeader: 'Rye-Hmac-Signature-V1' } })],
      controllers: [RyeWebhooks],
    });
  });

  afterAll(async () => {
    await receiver?.close();
  });

  beforeEach(() => {
    runs.length = 0;
  });

  it('verifies the body HMAC, takes the message id from the payload, and runs the handler', async () => {
    const body = event('evt_1');
    const result = await send(body, ryeSignature(secret, body));
    expect(result).toMatchObject({ status: 200, json: { id: 'evt_1', type: 'ORDER_PLACED', handled: 1 } });
    expect(runs).toEqual([{ id: 'evt_1', type: 'ORDER_PLACED', developer: 'dev_42' }]);
  });

  it('accepts the previous secret during a rotation', async () => {
    const body = event('evt_2', 'ORDER_FAILED');
    expect((await send(body, ryeSignature(previous, body))).status).toBe(200);
    expect(runs).toHaveLength(1);
  });

  it('refuses a tampered body, a wrong secret and a missing signature with 401', async () => {
    const body = event('evt_3');
    expect(await send(body.replace('ord_1', 'ord_2'), ryeSignature(secret, body))).toMatchObject({ status: 401, json: { message: 'no valid signature' } });
    expect(await send(body, ryeSignature('someone-else', body))).toMatchObject({ status: 401, json: { message: 'no valid signature' } });
    expect(await send(body, undefined)).toMatchObject({ status: 401, json: { message: 'missing rye-hmac-signature-v1 header' } });
    expect(runs).toHaveLength(0);
  });

  it('drops a replay of the same event id', async () => {
    const body = event('evt_4');
    await send(body, ryeSignature(secret, body));
    expect(await send(body, ryeSignature(secret, body))).toMatchObject({ status: 200, json: { id: 'evt_4', duplicate: true } });
    expect(runs).toHaveLength(1);
  });

  it('answers 400 to a signed payload without an id', async () => {
    const body = JSON.stringify({ type: 'ORDER_PLACED' });
    expect(await send(body, ryeSignature(secret, body))).toMatchObject({ status: 400, json: { message: 'no message id in payload field "id"' } });
  });
});
