import { Webhook } from 'svix';
import { describe, expect, it, vi } from 'vitest';
import { useHarness } from '../support/harness.js';

describe('fan-out, filters and signed delivery', () => {
  const h = useHarness();

  it('delivers a message to every enabled endpoint whose filter and channels accept it, and to no other', async () => {
    const app = await h.homing.applications.create({ name: 'Fan-out', uid: 'fanout-customer' });
    const make = (path: string, extra: object = {}) => h.homing.endpoints.create(app.id, { url: h.receiver.url(path), ...extra });
    await make('/all');
    await make('/exact', { filterTypes: ['route.optimized.Example.673f48'] });
    await make('/subtree', { filterTypes: ['route.optimized.*'] });
    await make('/other', { filterTypes: ['order.completed'] });
    await make('/disabled', { disabled: true });
    await make('/channel-eu', { channels: ['eu'] });
    await make('/channel-us', { channels: ['us'] });

    const message = await h.homing.producer.send('fanout-customer', {
      eventType: 'route.optimized.Example.673f48',
      payload: { routeId: 'r_1' },
      channels: ['eu'],
    });

    const expected = ['/all', '/exact', '/subtree', '/channel-eu'];
    await vi.waitFor(() => expect(h.receiver.requests.filter((r) => r.headers['webhook-id'] === message.id)).toHaveLength(4), { timeout: 10_000 });
    // Give a stray delivery a moment to show itself before asserting there was none.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const paths = h.receiver.requests.filter((r) => r.headers['webhook-id'] === message.id).map((r) => r.path);
    expect(paths.sort()).toEqual(expected.sort());
  });

  it('posts the payload byte for byte, signed so that the svix package verifies it', async () => {
    const app = await h.homing.applications.create({ name: 'Signed' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/signed'), headers: { 'x-customer': 'c-42' } });
    const rawJson = '{ "type": "order.completed",\n  "data": {"id": 7, "name": "Zoë 🚀", "n": 1.50} }';

    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: rawJson });

    await vi.waitFor(() => expect(h.receiver.on('/signed')).toHaveLength(1), { timeout: 10_000 });
    const [request] = h.receiver.on('/signed');
    expect(request.body).toBe(rawJson);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-customer']).toBe('c-42');
    for (const name of ['id', 'timestamp', 'signature']) {
      expect(request.headers[`webhook-${name}`]).toBe(request.headers[`svix-${name}`]);
    }
    expect(request.headers['webhook-id']).toBe(message.id);
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);
    const secret = await h.homing.endpoints.getSecret(app.id, endpoint.id);
    expect(() => new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(secret).verify(request.body.replace('7', '8'), request.headers as Record<string, string>)).toThrow();
  });

  it('returns the message with the payload as given, and delivers an object as its JSON.stringify', async () => {
    const app = await h.homing.applications.create({ name: 'Objects' });
    await h.homing.endpoints.create(app.id, { url: h.receiver.url('/objects') });
    const payload = { type: 'order.completed', data: { id: 7, tags: ['a'] } };

    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload });

    expect(message.payload).toEqual(payload);
    await vi.waitFor(() => expect(h.receiver.on('/objects')).toHaveLength(1), { timeout: 10_000 });
    expect(h.receiver.on('/objects')[0].body).toBe(JSON.stringify(payload));
  });

  it('gives time-sortable, prefixed ids', async () => {
    const app = await h.homing.applications.create({ name: 'Ids' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/ids') });
    const first = await h.homing.producer.send(app.id, { eventType: 'a.b', payload: {} });
    const second = await h.homing.producer.send(app.id, { eventType: 'a.b', payload: {} });
    expect(app.id).toMatch(/^app_[A-Za-z0-9]{27}$/);
    expect(endpoint.id).toMatch(/^ep_[A-Za-z0-9]{27}$/);
    expect(first.id).toMatch(/^msg_[A-Za-z0-9]{27}$/);
    expect(second.id > first.id).toBe(true);
    expect(endpoint.secret).toMatch(/^whsec_/);
  });
});
