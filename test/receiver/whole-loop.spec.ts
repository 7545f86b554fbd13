import { AttemptEntity } from '@homing/webhooks';
import { generateSecret } from '@homing/webhooks/internal';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExampleConsumerModule } from '../../apps/example-consumer/src/example-consumer.module.js';
import { ReceivedLog } from '../../apps/example-consumer/src/received.log.js';
import { type ReceiverTestApp, startReceiverApp } from '../support/receiver-app.js';
import { createTestServices, type TestServices } from '../support/services.js';
import { startWebhooksApp, type WebhooksTestApp } from '../support/webhooks-app.js';

describe('whole loop: WebhooksModule delivers to the example consumer', () => {
  const secret = generateSecret();
  let services: TestServices;
  let homing: WebhooksTestApp;
  let consumer: ReceiverTestApp;
  let log: ReceivedLog;

  const attemptsOf = (msgId: string) => homing.dataSource.getRepository(AttemptEntity).find({ where: { msgId }, order: { createdAt: 'ASC' } });

  beforeAll(async () => {
    services = await createTestServices();
    // No retry within the test: a refused delivery stays refused.
    homing = await startWebhooksApp(services, { retrySchedule: '1h' });
    consumer = await startReceiverApp({ imports: [ExampleConsumerModule.register({ secrets: [secret] })] });
    log = consumer.app.get(ReceivedLog);
  });

  afterAll(async () => {
    await homing?.close();
    await consumer?.close();
    await services?.drop();
  });

  it('delivers, the consumer verifies and records it, and the sender records a 2xx', async () => {
    const app = await homing.applications.create({ name: 'Loop', uid: 'loop-customer' });
    await homing.endpoints.create(app.id, { url: consumer.url('webhooks'), secret });
    const payload = { type: 'order.completed', timestamp: new Date().toISOString(), data: { orderId: 'o_1', customer: 'Zoë' } };

    const message = await homing.producer.send('loop-customer', { eventType: 'order.completed', payload });

    await vi.waitFor(() => expect(log.list().map((delivery) => delivery.id)).toContain(message.id), { timeout: 10_000 });
    expect(log.list().find((delivery) => delivery.id === message.id)).toMatchObject({ type: 'order.completed', bytes: Buffer.byteLength(JSON.stringify(payload)) });
    const received = (await (await fetch(consumer.url('received'))).json()) as { id: string }[];
    expect(received.map((delivery) => delivery.id)).toContain(message.id);
    await vi.waitFor(async () => expect((await attemptsOf(message.id)).map((attempt) => attempt.responseStatusCode)).toEqual([200]), { timeout: 10_000 });
  });

  it('acknowledges a resend of the same message as a duplicate without handling it again', async () => {
    const app = await homing.applications.create({ name: 'Resend' });
    const endpoint = await homing.endpoints.create(app.id, { url: consumer.url('webhooks'), secret });
    const message = await homing.producer.send(app.id, { eventType: 'invoice.paid', payload: { type: 'invoice.paid', data: { invoiceId: 'i_1' } } });
    await vi.waitFor(async () => expect(await attemptsOf(message.id)).toHaveLength(1), { timeout: 10_000 });

    await homing.recovery.resend(app.id, message.id, endpoint.id);

    await vi.waitFor(async () => expect(await attemptsOf(message.id)).toHaveLength(2), { timeout: 10_000 });
    const [first, again] = await attemptsOf(message.id);
    expect(JSON.parse(first.response)).toEqual({ id: message.id, type: 'invoice.paid', handled: 1 });
    expect(again.responseStatusCode).toBe(200);
    expect(JSON.parse(again.response)).toEqual({ id: message.id, type: 'invoice.paid', duplicate: true });
    expect(log.list().filter((delivery) => delivery.id === message.id)).toHaveLength(1);
  });

  it('refuses a delivery signed with another secret: the sender records 401 and the consumer nothing', async () => {
    const app = await homing.applications.create({ name: 'Stranger' });
    await homing.endpoints.create(app.id, { url: consumer.url('webhooks'), secret: generateSecret() });
    const message = await homing.producer.send(app.id, { eventType: 'order.completed', payload: { type: 'order.completed' } });

    await vi.waitFor(async () => expect((await attemptsOf(message.id)).map((attempt) => attempt.responseStatusCode)).toEqual([401]), { timeout: 10_000 });
    const [attempt] = await attemptsOf(message.id);
    expect(JSON.parse(attempt.response)).toMatchObject({ statusCode: 401, message: 'no valid signature' });
    expect(log.list().map((delivery) => delivery.id)).not.toContain(message.id);
  });
});
