import { EndpointEntity, type OperationalEvent } from '@homing/webhooks';
import { Webhook } from 'svix';
import { describe, expect, it, vi } from 'vitest';
import { attemptsOf, deliveryOf } from '../support/records.js';
import { useHarness } from '../support/harness.js';

describe('retries on a millisecond schedule', () => {
  const h = useHarness({ retrySchedule: '60ms,60ms,60ms,60ms' });

  it('retries failures on the schedule until the endpoint accepts, keeping the message id', async () => {
    let calls = 0;
    h.receiver.answer((_request, response) => void response.writeHead(++calls <= 3 ? 503 : 200).end());
    const app = await h.homing.applications.create({ name: 'Eventually' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/eventually') });
    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { id: 1 } });

    await h.settled(message.id, endpoint.id, 'success');
    const attempts = await attemptsOf(h.homing.dataSource, message.id);
    expect(attempts.map((a) => [a.status, a.responseStatusCode])).toEqual([
      ['failed', 503],
      ['failed', 503],
      ['failed', 503],
      ['success', 200],
    ]);
    const requests = h.receiver.on('/eventually');
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([message.id]));
    // The retries waited roughly as scheduled (60 ms ± 10 %), not back to back.
    for (let i = 1; i < requests.length; i++) expect(requests[i].receivedAt - requests[i - 1].receivedAt).toBeGreaterThanOrEqual(50);
  });

  it('gives up after the last scheduled retry and marks the delivery failed', async () => {
    h.receiver.status(500, 'down');
    const app = await h.homing.applications.create({ name: 'Never' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/never') });
    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { id: 2 } });

    await h.settled(message.id, endpoint.id, 'failed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.receiver.on('/never')).toHaveLength(5);
    const delivery = await deliveryOf(h.homing.dataSource, message.id, endpoint.id);
    expect(delivery).toMatchObject({ attempts: 5, nextAttemptAt: null });
  });
});

describe('signature timestamps on retries', () => {
  const h = useHarness({ retrySchedule: '1200ms' });

  it('signs every attempt afresh with its own timestamp', async () => {
    let calls = 0;
    h.receiver.answer((_request, response) => void response.writeHead(++calls === 1 ? 500 : 200).end());
    const app = await h.homing.applications.create({ name: 'Timestamps' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/ts') });
    await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { id: 3 } });

    await vi.waitFor(() => expect(h.receiver.on('/ts')).toHaveLength(2), { timeout: 10_000 });
    const [first, second] = h.receiver.on('/ts');
    expect(Number(second.headers['webhook-timestamp'])).toBeGreaterThan(Number(first.headers['webhook-timestamp']));
    expect(second.headers['webhook-signature']).not.toBe(first.headers['webhook-signature']);
    for (const request of [first, second]) {
      expect(() => new Webhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    }
  });
});

describe('disabling an endpoint that keeps failing', () => {
  const h = useHarness({ retrySchedule: Array(20).fill('50ms'), disableAfter: '400ms', operationalApp: 'operator' });

  it('disables it after the window with no success, and tells the operator by event and by webhook', async () => {
    const operator = await h.homing.applications.create({ name: 'Operator', uid: 'operator' });
    const operatorEndpoint = await h.homing.endpoints.create(operator.id, { url: h.receiver.url('/operator') });
    const nestEvents: OperationalEvent[] = [];
    h.homing.events.on('endpoint.disabled', (event: OperationalEvent) => nestEvents.push(event));
    h.receiver.answer((request, response) => void response.writeHead(request.path === '/operator' ? 204 : 500).end());

    const app = await h.homing.applications.create({ name: 'Broken customer' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/broken'), uid: 'broken' });
    await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { id: 4 } });

    // The operator also hears of the endpoints created and of the failing delivery: this test is about endpoint.disabled.
    const disabledWebhooks = () => h.receiver.on('/operator').filter((request) => JSON.parse(request.body).type === 'endpoint.disabled');
    await vi.waitFor(() => expect(disabledWebhooks()).toHaveLength(1), { timeout: 10_000 });
    const stored = await h.homing.dataSource.getRepository(EndpointEntity).findOneByOrFail({ id: endpoint.id });
    expect(stored.disabled).toBe(true);
    expect(stored.disabledReason).toMatch(/^failing since /);

    expect(nestEvents).toHaveLength(1);
    expect(nestEvents[0]).toMatchObject({ type: 'endpoint.disabled', data: { appId: app.id, endpointId: endpoint.id, endpointUid: 'broken', trigger: 'automatic' } });
    const [webhook] = disabledWebhooks();
    expect(() => new Webhook(operatorEndpoint.secret).verify(webhook.body, webhook.headers as Record<string, string>)).not.toThrow();
    expect(JSON.parse(webhook.body)).toMatchObject({ type: 'endpoint.disabled', data: { endpointId: endpoint.id } });

    // Disabled means no more attempts, and new messages no longer go to it.
    const attemptsSoFar = h.receiver.on('/broken').length;
    await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { id: 5 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.receiver.on('/broken').length).toBeLessThanOrEqual(attemptsSoFar + 1);
  });

  it('starts the failure window again after a success', async () => {
    let calls = 0;
    h.receiver.answer((_request, response) => void response.writeHead(++calls === 1 ? 500 : 200).end());
    const app = await h.homing.applications.create({ name: 'Flaky customer' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/flaky') });
    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { id: 6 } });

    await h.settled(message.id, endpoint.id, 'success');
    const stored = await h.homing.dataSource.getRepository(EndpointEntity).findOneByOrFail({ id: endpoint.id });
    expect(stored).toMatchObject({ disabled: false, failingSince: null });
  });
});
