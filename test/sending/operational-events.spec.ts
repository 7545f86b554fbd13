import { OPERATIONAL_EVENT, type OperationalEvent } from '@homing/webhooks';
import { Webhook } from 'svix';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useHarness } from '../support/harness.js';

describe('operational events, as webhooks to the operator and as Nest events', () => {
  // Seven attempts a few ms apart: the 4th failure is `failing`, the 7th `exhausted`.
  const h = useHarness({ retrySchedule: Array(6).fill('20ms'), operationalApp: 'ops' });
  let opsSecret: string;
  const nestEvents: OperationalEvent[] = [];

  /** Operator webhooks received so far, verified with the operator endpoint's secret, as parsed bodies. */
  const opsWebhooks = (type?: string) =>
    h.receiver
      .on('/ops')
      .map((request) => new Webhook(opsSecret).verify(request.body, request.headers as Record<string, string>) ?? JSON.parse(request.body))
      .filter((event: OperationalEvent) => type === undefined || event.type === type) as OperationalEvent[];

  beforeAll(async () => {
    const ops = await h.homing.applications.create({ name: 'Operator', uid: 'ops' });
    opsSecret = (await h.homing.endpoints.create(ops.id, { url: h.receiver.url('/ops') })).secret;
    for (const type of Object.values(OPERATIONAL_EVENT)) h.homing.events.on(type, (event: OperationalEvent) => nestEvents.push(event));
  });

  it('endpoint.created, endpoint.updated, endpoint.disabled (manual) and endpoint.deleted, in Svix shapes', async () => {
    const app = await h.homing.applications.create({ name: 'Customer', uid: 'customer-1' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/customer'), uid: 'primary' });
    await h.homing.endpoints.update(app.id, endpoint.id, { description: 'main' });
    await h.homing.endpoints.update(app.id, endpoint.id, { disabled: true });
    await h.homing.endpoints.delete(app.id, endpoint.id);

    const data = { appId: app.id, appUid: 'customer-1', endpointId: endpoint.id, endpointUid: 'primary' };
    const expected = [
      { type: 'endpoint.created', data },
      { type: 'endpoint.updated', data },
      { type: 'endpoint.updated', data },
      { type: 'endpoint.disabled', data: { ...data, failSince: null, trigger: 'manual' } },
      { type: 'endpoint.deleted', data },
    ];
    await vi.waitFor(() => expect(opsWebhooks().filter((event) => event.data.endpointId === endpoint.id)).toHaveLength(5), { timeout: 10_000 });
    const received = opsWebhooks().filter((event) => event.data.endpointId === endpoint.id);
    expect(received.map(({ type, data }) => ({ type, data })).sort(byType)).toEqual([...expected].sort(byType));
    for (const event of received) expect(Date.parse(event.timestamp)).not.toBeNaN();
    expect(nestEvents.filter((event) => event.data.endpointId === endpoint.id).map(({ type, data }) => ({ type, data }))).toEqual(expected);
  });

  it('message.attempt.failing on the 4th failure and message.attempt.exhausted after the last', async () => {
    const app = await h.homing.applications.create({ name: 'Failing', uid: 'failing-1' });
    h.receiver.answer((request, response) => void response.writeHead(request.path === '/ops' ? 204 : 503).end());
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/failing') });
    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { n: 1 }, eventId: 'order-1' });
    await h.settled(message.id, endpoint.id, 'failed');

    await vi.waitFor(() => expect(opsWebhooks('message.attempt.exhausted')).toHaveLength(1), { timeout: 10_000 });
    const [failing] = opsWebhooks('message.attempt.failing');
    const [exhausted] = opsWebhooks('message.attempt.exhausted');
    const data = { appId: app.id, appUid: 'failing-1', msgId: message.id, msgEventId: 'order-1', endpointId: endpoint.id };
    expect(failing.data).toMatchObject({ ...data, lastAttempt: { responseStatusCode: 503 } });
    expect(exhausted.data).toMatchObject({ ...data, lastAttempt: { responseStatusCode: 503 } });
    expect(Object.keys(exhausted.data.lastAttempt as object).sort()).toEqual(['id', 'responseStatusCode', 'timestamp']);
    expect(h.receiver.on('/failing')).toHaveLength(7);
    expect(opsWebhooks('message.attempt.failing')).toHaveLength(1);
  });

  it('message.attempt.recovered on a success after failing was sent, and nothing for a success before that', async () => {
    const app = await h.homing.applications.create({ name: 'Recovering' });
    let calls = 0;
    h.receiver.answer((request, response) => void response.writeHead(request.path === '/recovers' && ++calls <= 4 ? 500 : 200).end());
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/recovers') });
    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { n: 2 } });
    await h.settled(message.id, endpoint.id, 'success');

    await vi.waitFor(() => expect(opsWebhooks('message.attempt.recovered')).toHaveLength(1), { timeout: 10_000 });
    const [recovered] = opsWebhooks('message.attempt.recovered');
    expect(recovered.data).toMatchObject({ appId: app.id, appUid: null, msgId: message.id, msgEventId: null, endpointId: endpoint.id, lastAttempt: { responseStatusCode: 200 } });
    expect(opsWebhooks('message.attempt.failing').filter((event) => event.data.msgId === message.id)).toHaveLength(1);

    const quick = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { n: 3 } });
    await h.settled(quick.id, endpoint.id, 'success');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(opsWebhooks().filter((event) => event.data.msgId === quick.id)).toEqual([]);
  });

  it('does not report deliveries of operational events themselves', async () => {
    h.receiver.status(500);
    const app = await h.homing.applications.create({ name: 'Quiet' });
    const before = nestEvents.length;
    await h.homing.endpoints.create(app.id, { url: h.receiver.url('/quiet') });
    // endpoint.created goes to /ops, which now fails all seven attempts: no message.attempt.* about it.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(nestEvents.slice(before).map((event) => event.type)).toEqual(['endpoint.created']);
  });
});

const byType = (a: { type: string }, b: { type: string }) => a.type.localeCompare(b.type);
