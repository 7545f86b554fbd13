import { createHmac } from 'node:crypto';
import { AttemptEntity, MessageEntity, ValidationError, WebhookController, WebhookHandler, WebhooksModule, type WebhookContext } from '@homing/webhooks';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useHarness } from '../support/harness.js';
import { type ReceiverTestApp, startReceiverApp } from '../support/receiver-app.js';

const RYE = { signatureScheme: { type: 'body-hmac' as const }, envelope: true, developerId: 'dev_42' };

describe("Rye's way of sending: body HMAC, account header, envelope", () => {
  const h = useHarness({ retrySchedule: '1h' });

  it('signs the body as the seed\'s pseudocode checks it, sends the developer id, and wraps the payload', async () => {
    const app = await h.homing.applications.create({ name: 'Rye customer', ...RYE });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/rye') });
    const message = await h.homing.producer.send(app.id, { eventType: 'ORDER_PLACED', payload: { orderId: 'ord_1', total: 1250 }, requestId: 'req_7' });

    await vi.waitFor(() => expect(h.receiver.on('/rye')).toHaveLength(1), { timeout: 10_000 });
    const [request] = h.receiver.on('/rye');
    // The seed: cipher = new_hmac("sha256", secret); signature = base64encode(cipher.hash_data(request.body)).
    const hmac = createHmac('sha256', endpoint.secret);
    hmac.update(request.body);
    expect(hmac.digest('base64')).toBe(request.headers['rye-hmac-signature-v1']);
    expect(request.headers['rye-verification']).toBe('dev_42');
    expect(request.headers['webhook-signature']).toBeUndefined();

    const envelope = JSON.parse(request.body);
    expect(Object.keys(envelope)).toEqual(['id', 'requestId', 'developerId', 'type', 'data', 'createdAt']);
    expect(envelope).toEqual({
      id: message.id,
      requestId: 'req_7',
      developerId: envelope.developerId,
      type: 'ORDER_PLACED',
      data: { orderId: 'ord_1', total: 1250 },
      createdAt: message.createdAt.toISOString(),
    });
    // It matches the value of the Rye-Verification header, as Rye's BaseWebhook promises.
    expect(envelope.developerId).toBe(request.headers['rye-verification']);
  });

  it('keeps the stored payload as given and puts its bytes in `data` unchanged; requestId defaults to the message id', async () => {
    const app = await h.homing.applications.create({ name: 'Envelope only', uid: 'envelope-only', envelope: true });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/envelope') });
    const payload = '{"b": 1,   "a": "Zoë"}';
    const message = await h.homing.producer.send(app.id, { eventType: 'product.updated', payload });

    await vi.waitFor(() => expect(h.receiver.on('/envelope')).toHaveLength(1), { timeout: 10_000 });
    const [request] = h.receiver.on('/envelope');
    expect(request.body).toContain(`"data":${payload},`);
    expect(JSON.parse(request.body)).toMatchObject({ id: message.id, requestId: message.id, developerId: 'envelope-only', type: 'product.updated' });
    // Standard Webhooks (the default scheme) signs the envelope: the bytes sent.
    expect(() => new Webhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    const stored = await h.homing.dataSource.getRepository(MessageEntity).findOneByOrFail({ id: message.id });
    expect(stored.payload).toBe(payload);
  });

  it('lets an endpoint override its application scheme, and signs every byte of the envelope', async () => {
    const app = await h.homing.applications.create({ name: 'Mixed', ...RYE });
    const standard = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/standard'), signatureScheme: { type: 'standard-webhooks' } });
    const custom = await h.homing.endpoints.create(app.id, {
      url: h.receiver.url('/custom'),
      signatureScheme: { type: 'body-hmac', header: 'X-Body-Signature', accountHeader: null },
    });
    await h.homing.producer.send(app.id, { eventType: 'ORDER_FAILED', payload: { orderId: 'ord_2' } });

    await vi.waitFor(() => expect([...h.receiver.on('/standard'), ...h.receiver.on('/custom')]).toHaveLength(2), { timeout: 10_000 });
    const [viaStandard] = h.receiver.on('/standard');
    expect(() => new Webhook(standard.secret).verify(viaStandard.body, viaStandard.headers as Record<string, string>)).not.toThrow();
    expect(JSON.parse(viaStandard.body)).toMatchObject({ developerId: 'dev_42', data: { orderId: 'ord_2' } });
    expect(viaStandard.headers['rye-verification']).toBeUndefined();

    const [viaCustom] = h.receiver.on('/custom');
    expect(viaCustom.headers['x-body-signature']).toBe(createHmac('sha256', custom.secret).update(viaCustom.body).digest('base64'));
    expect(viaCustom.headers['rye-verification']).toBeUndefined();
  });

  it('refuses a malformed scheme with a ValidationError naming the field (a 422 through the API)', async () => {
    const app = await h.homing.applications.create({ name: 'Bad scheme' });
    const malformed = h.homing.endpoints.create(app.id, { url: h.receiver.url('/x'), signatureScheme: { type: 'rot13' } as never });
    await expect(malformed).rejects.toBeInstanceOf(ValidationError);
    await expect(malformed).rejects.toMatchObject({ fields: [{ path: ['signatureScheme'], message: "signatureScheme type must be 'standard-webhooks' or 'body-hmac'" }] });
    await expect(
      h.homing.applications.create({ name: 'Bad header', signatureScheme: { type: 'body-hmac', header: 'webhook-signature' } }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

const received: { id: string; type: string; developer: unknown; data: unknown }[] = [];

@WebhookController('rye')
class RyeWebhooks {
  @WebhookHandler('*')
  any(payload: { data: unknown }, ctx: WebhookContext) {
    received.push({ id: ctx.id, type: ctx.type, developer: ctx.headers['rye-verification'], data: payload.data });
  }
}

describe('sent one way, verified the same way by the receiving kit', () => {
  const h = useHarness({ retrySchedule: '1h' });
  const secret = 'whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MjQy';
  let rye: ReceiverTestApp;
  let standard: ReceiverTestApp;

  beforeAll(async () => {
    rye = await startReceiverApp({
      imports: [WebhooksModule.forReceiver({ secret, scheme: { bodyHmacHeader: 'Rye-Hmac-Signature-V1' } })],
      controllers: [RyeWebhooks],
    });
    standard = await startReceiverApp({ imports: [WebhooksModule.forReceiver({ secret })], controllers: [RyeWebhooks] });
  });

  afterAll(async () => {
    await rye?.close();
    await standard?.close();
  });

  const attemptsOf = (msgId: string) => h.homing.dataSource.getRepository(AttemptEntity).find({ where: { msgId }, order: { createdAt: 'ASC' } });

  it('a body-HMAC delivery passes forReceiver({ scheme: { bodyHmacHeader } }), which takes the message id from the envelope', async () => {
    const app = await h.homing.applications.create({ name: 'Rye loop', ...RYE });
    await h.homing.endpoints.create(app.id, { url: rye.url('rye'), secret });
    const message = await h.homing.producer.send(app.id, { eventType: 'ORDER_PLACED', payload: { orderId: 'ord_3' } });

    await vi.waitFor(async () => expect((await attemptsOf(message.id)).map((attempt) => attempt.responseStatusCode)).toEqual([200]), { timeout: 10_000 });
    expect(received).toContainEqual({ id: message.id, type: 'ORDER_PLACED', developer: 'dev_42', data: { orderId: 'ord_3' } });
  });

  it('a Standard Webhooks delivery passes the default receiver, and a body-HMAC one does not', async () => {
    const app = await h.homing.applications.create({ name: 'Standard loop', envelope: true, developerId: 'dev_7' });
    await h.homing.endpoints.create(app.id, { url: standard.url('rye'), secret });
    const wrongWay = await h.homing.endpoints.create(app.id, { url: standard.url('rye'), secret, signatureScheme: { type: 'body-hmac' } });
    const message = await h.homing.producer.send(app.id, { eventType: 'ORDER_SHIPPED', payload: { orderId: 'ord_4' } });

    await vi.waitFor(async () => expect(await attemptsOf(message.id)).toHaveLength(2), { timeout: 10_000 });
    const attempts = await attemptsOf(message.id);
    expect(attempts.find((attempt) => attempt.endpointId === wrongWay.id)).toMatchObject({ responseStatusCode: 401, status: 'failed' });
    expect(attempts.find((attempt) => attempt.endpointId !== wrongWay.id)).toMatchObject({ responseStatusCode: 200, status: 'success' });
    expect(received.filter((delivery) => delivery.id === message.id)).toEqual([{ id: message.id, type: 'ORDER_SHIPPED', developer: undefined, data: { orderId: 'ord_4' } }]);
  });
});
