import { createHmac } from 'node:crypto';
import { DeliveryEntity, EndpointEntity } from '@homing/webhooks';
import { PayloadRetentionService } from '@homing/webhooks/internal';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OPERATOR_TOKEN, startDispatcherApp, type DispatcherTestApp } from '../support/dispatcher-app.js';
import { TestReceiver } from '../support/receiver.js';
import { createTestServices, type TestServices } from '../support/services.js';

describe('provider options through the HTTP API', () => {
  let services: TestServices;
  let dispatcher: DispatcherTestApp;
  let receiver: TestReceiver;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${dispatcher.url}/api/v1/${path}`, {
      method,
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json().catch(() => undefined)) as Record<string, any> };
  };

  beforeAll(async () => {
    services = await createTestServices();
    dispatcher = await startDispatcherApp(services, { HOMING_RETRY_SCHEDULE: '1h' });
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    await dispatcher?.close();
    await receiver?.close();
    await services?.drop();
  });

  it('takes the scheme, envelope, developer id, throttleRate, requestId and retention, and answers 410 to resending a purged message', async () => {
    const app = await api('POST', 'app', { name: 'Rye via API', uid: 'rye-api', envelope: true, developerId: 'dev_9', signatureScheme: { type: 'body-hmac' } });
    expect(app.status).toBe(201);
    const endpoint = await api('POST', 'app/rye-api/endpoint', { url: receiver.url('/api'), throttleRate: 3 });
    expect(endpoint.json.throttleRate).toBe(3);
    const stored = await dispatcher.dataSource.getRepository(EndpointEntity).findOneByOrFail({ id: endpoint.json.id });
    expect(stored.rateLimit).toBe(3);
    const secret = (await api('GET', `app/rye-api/endpoint/${endpoint.json.id}/secret`)).json.key as string;

    const message = await api('POST', 'app/rye-api/msg', { eventType: 'ORDER_PLACED', payload: { orderId: 'o_9' }, requestId: 'req_9', payloadRetentionPeriod: 1 });
    expect(message.status).toBe(202);

    await vi.waitFor(() => expect(receiver.on('/api')).toHaveLength(1), { timeout: 10_000 });
    const [request] = receiver.on('/api');
    expect(request.headers['rye-hmac-signature-v1']).toBe(createHmac('sha256', secret).update(request.body).digest('base64'));
    expect(JSON.parse(request.body)).toMatchObject({ id: message.json.id, requestId: 'req_9', developerId: 'dev_9', type: 'ORDER_PLACED', data: { orderId: 'o_9' } });

    // Purged once its delivery is recorded (a payload still owed is kept), which may be a moment after it arrived.
    const delivery = () => dispatcher.dataSource.getRepository(DeliveryEntity).findOneByOrFail({ msgId: message.json.id as string });
    await vi.waitFor(async () => expect((await delivery()).status).toBe('success'), { timeout: 10_000 });
    expect(await dispatcher.app.get(PayloadRetentionService).purge(new Date(Date.now() + 2 * 24 * 3600_000))).toBe(1);
    const resend = await api('POST', `app/rye-api/msg/${message.json.id}/endpoint/${endpoint.json.id}/resend`);
    expect(resend.status).toBe(410);
    expect(resend.json).toMatchObject({ code: 'payload_purged', detail: expect.stringContaining('was purged') });
    expect((await api('GET', `app/rye-api/msg/${message.json.id}`)).json.payload).toEqual({});
  });

  it('refuses a bad signature scheme with a 422 naming the field', async () => {
    await api('POST', 'app', { name: 'Scheme check', uid: 'scheme-check' });
    const response = await api('POST', 'app/scheme-check/endpoint', { url: receiver.url('/x'), signatureScheme: { type: 'body-hmac', header: 'Host' } });
    expect(response.status).toBe(422);
    expect(response.json.detail).toEqual([expect.objectContaining({ loc: ['body', 'signatureScheme'], msg: expect.stringContaining('"Host" is reserved') })]);
  });
});
