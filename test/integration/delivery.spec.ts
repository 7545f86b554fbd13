import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestReceiver } from '../support/receiver.js';
import { createTestServices, type TestServices } from '../support/services.js';
import { startWebhooksApp, type WebhooksTestApp } from '../support/webhooks-app.js';

describe('fan-out, filters and signed delivery', () => {
  let services: TestServices;
  let homing: WebhooksTestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    services = await createTestServices();
    homing = await startWebhooksApp(services);
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    await homing?.close();
    await receiver?.close();
    await services?.drop();
  });

  it('delivers a message to every enabled endpoint whose filter and channels accept it, and to no other', async () => {
    const app = await homing.applications.create({ name: 'Fan-out', uid: 'fanout-customer' });
    const make = (path: string, extra: object = {}) => homing.endpoints.create(app.id, { url: receiver.url(path), ...extra });
    await make('/all');
    await make('/exact', { filterTypes: ['route.optimized.Example.673f48'] });
    await make('/subtree', { filterTypes: ['route.optimized.*'] });
    await make('/other', { filterTypes: ['order.completed'] });
    await make('/disabled', { disabled: true });
    await make('/channel-eu', { channels: ['eu'] });
    await make('/channel-us', { channels: ['us'] });

    const message = await homing.producer.send('fanout-customer', {
      eventType: 'route.optimized.Example.673f48',
      payload: { routeId: 'r_1' },
      channels: ['eu'],
    });

    const expected = ['/all', '/exact', '/subtree', '/channel-eu'];
    await vi.waitFor(() => expect(receiver.requests.filter((r) => r.headers['webhook-id'] === message.id)).toHaveLength(4), { timeout: 10_000 });
    // Give a stray delivery a moment to show itself before asserting there was none.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const paths = receiver.requests.filter((r) => r.headers['webhook-id'] === message.id).map((r) => r.path);
    expect(paths.sort()).toEqual(expected.sort());
  });

  it('posts the payload byte for byte, signed so that the svix package verifies it', async () => {
    const app = await homing.applications.create({ name: 'Signed' });
    const endpoint = await homing.endpoints.create(app.id, { url: receiver.url('/signed'), headers: { 'x-customer': 'c-42' } });
    const rawJson = '{ "type": "order.completed",\n  "data": {"id": 7, "name": "Zoë 🚀", "n": 1.50} }';

    const message = await homing.producer.send(app.id, { eventType: 'order.completed', payload: rawJson });

    await vi.waitFor(() => expect(receiver.on('/signed')).toHaveLength(1), { timeout: 10_000 });
    const [request] = receiver.on('/signed');
    expect(request.body).toBe(rawJson);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-customer']).toBe('c-42');
    for (const name of ['id', 'timestamp', 'signature']) {
      expect(request.headers[`webhook-${name}`]).toBe(request.headers[`svix-${name}`]);
    }
    expect(request.headers['webhook-id']).toBe(message.id);
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);
    const secret = await homing.endpoints.getSecret(app.id, endpoint.id);
    expect(() => new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(secret).verify(request.body.replace('7', '8'), request.headers as Record<string, string>)).toThrow();
  });

  it('gives time-sortable, prefixed ids', async () => {
    const app = await homing.applications.create({ name: 'Ids' });
    const endpoint = await homing.endpoints.create(app.id, { url: receiver.url('/ids') });
    const first = await homing.producer.send(app.id, { eventType: 'a.b', payload: {} });
    const second = await homing.producer.send(app.id, { eventType: 'a.b', payload: {} });
    expect(app.id).toMatch(/^app_[0-9A-Z]{26}$/);
    expect(endpoint.id).toMatch(/^ep_[0-9A-Z]{26}$/);
    expect(first.id).toMatch(/^msg_[0-9A-Z]{26}$/);
    expect(second.id > first.id).toBe(true);
    expect(endpoint.secret).toMatch(/^whsec_/);
  });
});
