import { ConflictError, NotFoundError, ValidationError } from '@homing/webhooks';
import { Webhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { attemptsOf, deliveryOf } from '../support/records.js';
import { useHarness } from '../support/harness.js';

describe('resend, recover and example events', () => {
  const h = useHarness({ retrySchedule: '' });


  it('resends one message to one endpoint as a single manual attempt', async () => {
    h.receiver.status(500);
    const app = await h.homing.applications.create({ name: 'Resend' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/resend') });
    const message = await h.homing.producer.send(app.id, { eventType: 'invoice.paid', payload: { n: 1 } });
    await h.settled(message.id, endpoint.id, 'failed');

    h.receiver.status(200);
    await h.homing.recovery.resend(app.id, message.id, endpoint.id);
    await h.settled(message.id, endpoint.id, 'success');
    const attempts = await attemptsOf(h.homing.dataSource, message.id);
    expect(attempts.map((a) => [a.trigger, a.status])).toEqual([
      ['scheduled', 'failed'],
      ['manual', 'success'],
    ]);
    const requests = h.receiver.on('/resend');
    expect(requests.map((r) => r.body)).toEqual([JSON.stringify(message.payload), JSON.stringify(message.payload)]);
    expect(requests[1].headers['webhook-id']).toBe(message.id);
  });

  it('resends to an endpoint created after the message', async () => {
    h.receiver.status(200);
    const app = await h.homing.applications.create({ name: 'Late endpoint' });
    const message = await h.homing.producer.send(app.id, { eventType: 'invoice.paid', payload: { n: 2 } });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/late') });
    await h.homing.recovery.resend(app.id, message.id, endpoint.id);
    await h.settled(message.id, endpoint.id);
    expect(h.receiver.on('/late')).toHaveLength(1);
  });

  it('recovers every failed delivery since a time, and only those', async () => {
    h.receiver.status(503);
    const app = await h.homing.applications.create({ name: 'Recover' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/recover') });
    const old = await h.homing.producer.send(app.id, { eventType: 'invoice.paid', payload: { n: 'old' } });
    await h.settled(old.id, endpoint.id, 'failed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const since = new Date();
    const failed = [];
    for (let n = 0; n < 3; n++) failed.push(await h.homing.producer.send(app.id, { eventType: 'invoice.paid', payload: { n } }));
    for (const message of failed) await h.settled(message.id, endpoint.id, 'failed');

    h.receiver.status(200);
    const recovered = await h.homing.recovery.recover(app.id, endpoint.id, since);
    expect(recovered).toBe(3);
    for (const message of failed) await h.settled(message.id, endpoint.id, 'success');
    expect((await deliveryOf(h.homing.dataSource, old.id, endpoint.id))?.status).toBe('failed');
    expect(await h.homing.recovery.recover(app.id, endpoint.id, since)).toBe(0);
  });

  it('recovers within [since, until) when an end is given', async () => {
    h.receiver.status(500);
    const app = await h.homing.applications.create({ name: 'Recover window' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/window') });
    const since = new Date();
    const inside = await h.homing.producer.send(app.id, { eventType: 'invoice.paid', payload: { at: 'inside' } });
    await h.settled(inside.id, endpoint.id, 'failed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const until = new Date();
    const after = await h.homing.producer.send(app.id, { eventType: 'invoice.paid', payload: { at: 'after' } });
    await h.settled(after.id, endpoint.id, 'failed');

    h.receiver.status(200);
    expect(await h.homing.recovery.recover(app.id, endpoint.id, since, until)).toBe(1);
    await h.settled(inside.id, endpoint.id);
    expect((await deliveryOf(h.homing.dataSource, after.id, endpoint.id))?.status).toBe('failed');
  });

  it("sends an event type's example payload to one endpoint only", async () => {
    h.receiver.status(200);
    await h.homing.eventTypes.create({
      name: 'route.optimized.Example',
      description: 'A route was optimised',
      schemas: { '1': { type: 'object', examples: [{ routeId: 'r_example', stops: 3 }] } },
    });
    const app = await h.homing.applications.create({ name: 'Example' });
    const target = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/example') });
    await h.homing.endpoints.create(app.id, { url: h.receiver.url('/bystander') });

    const message = await h.homing.recovery.sendExample(app.id, target.id, 'route.optimized.Example');
    await h.settled(message.id, target.id);
    const [request] = h.receiver.on('/example');
    expect(JSON.parse(request.body)).toEqual({ routeId: 'r_example', stops: 3 });
    expect(request.headers['webhook-id']).toBe(message.id);
    expect(() => new Webhook(target.secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    expect(h.receiver.on('/bystander')).toHaveLength(0);
  });

  it('refuses an example for a type without one', async () => {
    await h.homing.eventTypes.create({ name: 'bare.type', description: 'No schema' });
    const app = await h.homing.applications.create({ name: 'No example' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/none') });
    await expect(h.homing.recovery.sendExample(app.id, endpoint.id, 'bare.type')).rejects.toThrow(/has no example payload/);
  });
});

describe('idempotency and bad input', () => {
  const h = useHarness({ worker: false });

  it('treats a second message with the same eventId in an application as a conflict, not a second message', async () => {
    const app = await h.homing.applications.create({ name: 'Idempotent' });
    const other = await h.homing.applications.create({ name: 'Other' });
    await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: {}, eventId: 'evt-1' });
    const duplicate = h.homing.producer.send(app.id, { eventType: 'order.completed', payload: {}, eventId: 'evt-1' });
    await expect(duplicate).rejects.toBeInstanceOf(ConflictError);
    await expect(duplicate).rejects.toThrow(/eventId "evt-1" already exists/);
    // The same eventId in another application is another message.
    await expect(h.homing.producer.send(other.id, { eventType: 'order.completed', payload: {}, eventId: 'evt-1' })).resolves.toBeDefined();
  });

  it('refuses duplicate uids with a conflict', async () => {
    await h.homing.applications.create({ name: 'A', uid: 'same' });
    await expect(h.homing.applications.create({ name: 'B', uid: 'same' })).rejects.toThrow(ConflictError);
    const app = await h.homing.applications.get('same');
    await h.homing.endpoints.create(app.id, { url: 'http://127.0.0.1:1/x', uid: 'ep-same' });
    await expect(h.homing.endpoints.create(app.id, { url: 'http://127.0.0.1:1/y', uid: 'ep-same' })).rejects.toThrow(ConflictError);
  });

  it('answers an unknown application or endpoint with a NotFoundError (a 404 through the API)', async () => {
    await expect(h.homing.producer.send('app_missing', { eventType: 'a.b', payload: {} })).rejects.toThrow(NotFoundError);
    const app = await h.homing.applications.create({ name: 'Lookup' });
    await expect(h.homing.endpoints.get(app.id, 'ep_missing')).rejects.toThrow(/endpoint "ep_missing" not found/);
  });

  it.each([
    ['an event type with spaces', { eventType: 'order completed', payload: {} }, 'eventType'],
    ['a missing payload', { eventType: 'order.completed' }, 'payload'],
    ['a payload string that is not JSON', { eventType: 'order.completed', payload: '{oops' }, 'payload'],
    ['too many channels', { eventType: 'a.b', payload: {}, channels: Array.from({ length: 11 }, (_, i) => `c${i}`) }, 'channels'],
  ])('refuses a message with %s (a ValidationError naming the field)', async (_what, input, field) => {
    const app = await h.homing.applications.create({ name: 'Validation' });
    const error = await h.homing.producer.send(app.id, input as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields.some((f) => f.path.includes(field))).toBe(true);
  });

  it.each([
    ['a URL that is not http(s)', { url: 'ftp://127.0.0.1/x' }, 'url'],
    ['a filter with a wildcard in the middle', { url: 'http://127.0.0.1/x', filterTypes: ['order.*.done'] }, 'filterTypes'],
    ['a secret too short', { url: 'http://127.0.0.1/x', secret: 'whsec_abc' }, 'secret'],
    ['a uid with spaces', { url: 'http://127.0.0.1/x', uid: 'my endpoint' }, 'uid'],
  ])('refuses an endpoint with %s (a ValidationError naming the field)', async (_what, input, field) => {
    const app = await h.homing.applications.create({ name: 'Endpoint validation' });
    const error = await h.homing.endpoints.create(app.id, input as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields.some((f) => f.path.includes(field))).toBe(true);
  });

  it('accepts a caller-chosen secret with or without whsec_', async () => {
    const app = await h.homing.applications.create({ name: 'Own secret' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: 'http://127.0.0.1/x', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    expect(await h.homing.endpoints.getSecret(app.id, endpoint.id)).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  });
});
