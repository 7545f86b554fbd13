import { BackgroundTaskStatus, Webhook, type EndpointOut } from 'svix';
import { describe, expect, it, vi } from 'vitest';
import type { ReceivedRequest } from '../support/receiver.js';
import { apiError, deliveriesOf, OPERATOR_TOKEN, useDispatcher, validationErrors } from '../support/dispatcher-app.js';

const ORDER_SCHEMA = {
  '1': { type: 'object', properties: { id: { type: 'string' } }, examples: [{ id: 'ord_1', total: 1250 }, { id: 'ord_2', total: 99 }] },
};

/** Verifies a received delivery with the svix package, as a receiver would. */
function verifies(secret: string, request: ReceivedRequest): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

describe('event types and endpoints through the svix SDK', () => {
  // One quick retry, so a failing delivery ends `failed` within the test.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '50ms' });

  async function delivered(msgId: string, count = 1): Promise<ReceivedRequest[]> {
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, msgId).length).toBeGreaterThanOrEqual(count), { timeout: 10_000, interval: 20 });
    return deliveriesOf(h.receiver, msgId);
  }

  describe('event types', () => {
    it('creates one with schemas and examples, reads, lists, replaces, patches, archives and expunges it', async () => {
      const created = await h.svix.eventType.create({ name: 'invoice.paid', description: 'An invoice was paid', schemas: ORDER_SCHEMA, groupName: 'billing' });
      expect(created).toMatchObject({ name: 'invoice.paid', description: 'An invoice was paid', schemas: ORDER_SCHEMA, groupName: 'billing', archived: false, deprecated: false });
      expect(await h.svix.eventType.get('invoice.paid')).toEqual(created);

      const listed = await h.svix.eventType.list();
      expect(listed.data.find((type) => type.name === 'invoice.paid')).toMatchObject({ name: 'invoice.paid', schemas: null });
      const withSchemas = await h.svix.eventType.list({ withContent: true });
      expect(withSchemas.data.find((type) => type.name === 'invoice.paid')?.schemas).toEqual(ORDER_SCHEMA);

      const replaced = await h.svix.eventType.upsert('invoice.paid', { description: 'Paid in full' });
      expect(replaced).toMatchObject({ name: 'invoice.paid', description: 'Paid in full', schemas: null, groupName: null });
      const made = await h.svix.eventType.upsert('invoice.voided', { description: 'Voided' });
      expect(made).toMatchObject({ name: 'invoice.voided', description: 'Voided' });
      expect(await h.svix.eventType.patch('invoice.paid', { deprecated: true, schemas: ORDER_SCHEMA })).toMatchObject({
        description: 'Paid in full',
        deprecated: true,
        schemas: ORDER_SCHEMA,
      });

      await h.svix.eventType.delete('invoice.paid');
      expect(await h.svix.eventType.get('invoice.paid')).toMatchObject({ archived: true });
      expect((await h.svix.eventType.list()).data.map((type) => type.name)).not.toContain('invoice.paid');
      expect((await h.svix.eventType.list({ includeArchived: true })).data.map((type) => type.name)).toContain('invoice.paid');

      await h.svix.eventType.delete('invoice.voided', { expunge: true });
      expect((await apiError(h.svix.eventType.get('invoice.voided'))).code).toBe(404);
    });

    it('answers 409 for a duplicate and 422 for a bad name', async () => {
      await h.svix.eventType.create({ name: 'user.created', description: 'x' });
      expect((await apiError(h.svix.eventType.create({ name: 'user.created', description: 'again' }))).code).toBe(409);
      expect(await validationErrors(h.svix.eventType.create({ name: 'has space', description: 'x' }))).toEqual([expect.objectContaining({ loc: ['body', 'name'] })]);
    });
  });

  describe('endpoints', () => {
    it('creates one with every field, reads it by id and uid, lists, replaces, patches and deletes it', async () => {
      const app = await h.svix.application.create({ name: 'Endpoints' });
      const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
      const created = await h.svix.endpoint.create(app.id, {
        url: h.receiver.url('/crud'),
        description: 'primary',
        eventTypes: ['order.completed', 'route.optimized.*'],
        channels: ['eu'],
        disabled: false,
        uid: 'primary',
        secret,
        metadata: { team: 'billing' },
        headers: { 'x-customer': 'c-42' },
        throttleRate: 10,
      });
      expect(created).toMatchObject({
        url: h.receiver.url('/crud'),
        description: 'primary',
        eventTypes: ['order.completed', 'route.optimized.*'],
        channels: ['eu'],
        disabled: false,
        uid: 'primary',
        metadata: { team: 'billing' },
        throttleRate: 10,
      });
      expect(created.id).toMatch(/^ep_/);
      expect(await h.svix.endpoint.get(app.id, created.id)).toEqual(created);
      expect(await h.svix.endpoint.get(app.id, 'primary')).toEqual(created);
      expect((await h.svix.endpoint.getSecret(app.id, 'primary')).key).toBe(secret);
      expect(await h.svix.endpoint.getHeaders(app.id, created.id)).toEqual({ headers: { 'x-customer': 'c-42' }, sensitive: [] });

      const second = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/second') });
      const list = await h.svix.endpoint.list(app.id, { limit: 1 });
      expect(list.data.map((endpoint) => endpoint.id)).toEqual([created.id]);
      expect(list.done).toBe(false);
      const next = await h.svix.endpoint.list(app.id, { limit: 1, iterator: list.iterator });
      expect(next).toMatchObject({ done: true, data: [expect.objectContaining({ id: second.id })] });

      const replaced = await h.svix.endpoint.upsert(app.id, 'primary', { url: h.receiver.url('/crud-2') });
      expect(replaced).toMatchObject({ id: created.id, uid: 'primary', url: h.receiver.url('/crud-2'), description: '', eventTypes: null, channels: null, throttleRate: null });
      const upserted = await h.svix.endpoint.upsert(app.id, 'made-by-put', { url: h.receiver.url('/put') });
      expect(upserted).toMatchObject({ uid: 'made-by-put', url: h.receiver.url('/put') });
      const elsewhere = await validationErrors(h.svix.endpoint.upsert(app.id, 'not-made', { url: h.receiver.url('/put'), uid: 'other-uid' }));
      expect(elsewhere).toEqual([expect.objectContaining({ loc: ['body', 'uid'], msg: 'a new endpoint takes the uid in the path' })]);

      const patched = await h.svix.endpoint.patch(app.id, created.id, { disabled: true, eventTypes: ['order.*'] });
      expect(patched).toMatchObject({ disabled: true, eventTypes: ['order.*'], url: h.receiver.url('/crud-2') });
      expect(await h.svix.endpoint.patch(app.id, created.id, { disabled: false, eventTypes: null })).toMatchObject({ disabled: false, eventTypes: null });

      await h.svix.endpoint.delete(app.id, created.id);
      expect((await apiError(h.svix.endpoint.get(app.id, created.id))).code).toBe(404);
    });

    it('accepts filterTypes from older clients for eventTypes', async () => {
      const app = await h.svix.application.create({ name: 'Old client' });
      // Older SDKs send `filterTypes`; the current svix package cannot, so this one request is made by hand.
      const response = await fetch(`${h.dispatcher.url}/api/v1/app/${app.id}/endpoint`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'https://example.com/old', filterTypes: ['order.completed'], version: 1 }),
      });
      expect(response.status).toBe(201);
      const created = (await response.json()) as EndpointOut;
      expect(await h.svix.endpoint.get(app.id, created.id)).toMatchObject({ eventTypes: ['order.completed'] });
    });

    it('takes ordering: fifo (Homing extension), shows it, delivers in order, clears it with null, and names a bad value', async () => {
      const app = await h.svix.application.create({ name: 'Ordered' });
      const call = async (method: string, path: string, body: unknown) => {
        const response = await fetch(`${h.dispatcher.url}/api/v1/app/${app.id}/${path}`, {
          method,
          headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const created = await call('POST', 'endpoint', { url: h.receiver.url('/ordered-api'), ordering: 'fifo' });
      expect(created).toMatchObject({ status: 201, body: { ordering: 'fifo' } });
      const endpointId = created.body.id as string;
      // The svix package reads the endpoint as Svix's (the extra field is its own business).
      expect(await h.svix.endpoint.get(app.id, endpointId)).toMatchObject({ id: endpointId, url: h.receiver.url('/ordered-api') });

      const sent: string[] = [];
      for (let n = 0; n < 10; n += 1) sent.push((await h.svix.message.create(app.id, { eventType: 'order.updated', payload: { n } })).id);
      await vi.waitFor(() => expect(h.receiver.on('/ordered-api')).toHaveLength(10), { timeout: 10_000, interval: 20 });
      expect(h.receiver.on('/ordered-api').map((request) => request.headers['webhook-id'])).toEqual(sent);

      expect(await call('PATCH', `endpoint/${endpointId}`, { ordering: null })).toMatchObject({ status: 200, body: { ordering: null } });
      const bad = await call('POST', 'endpoint', { url: h.receiver.url('/ordered-api'), ordering: 'lifo' });
      expect(bad.status).toBe(422);
      expect(bad.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'ordering'], msg: expect.stringContaining("'fifo'") })]);
    });

    it('answers 409 for a duplicate uid and 422 with the fields at fault', async () => {
      const app = await h.svix.application.create({ name: 'Bad endpoints' });
      await h.svix.endpoint.create(app.id, { url: 'https://example.com/a', uid: 'same' });
      const conflict = await apiError(h.svix.endpoint.create(app.id, { url: 'https://example.com/b', uid: 'same' }));
      expect(conflict.code).toBe(409);
      expect(conflict.body.code).toBe('conflict');

      const details = await validationErrors(
        h.svix.endpoint.create(app.id, { url: 'not a url', eventTypes: ['*.completed'], channels: [''], secret: 'whsec_short', headers: { 'svix-signature': 'forged' } }),
      );
      expect(details.map((detail) => detail.loc)).toEqual(
        expect.arrayContaining([['body', 'url'], ['body', 'eventTypes'], ['body', 'channels'], ['body', 'secret'], ['body', 'headers']]),
      );
      expect((await apiError(h.svix.endpoint.list('no-such-app'))).code).toBe(404);
    });

    it('delivers signed messages the svix package verifies, with the extra headers', async () => {
      const app = await h.svix.application.create({ name: 'Signed' });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/signed'), headers: { 'x-customer': 'c-42' } });
      const message = await h.svix.message.create(app.id, { eventType: 'order.completed', payload: { id: 'ord_9' } });
      const [request] = await delivered(message.id);
      expect(JSON.parse(request.body)).toEqual({ id: 'ord_9' });
      expect(request.headers['x-customer']).toBe('c-42');
      expect(verifies((await h.svix.endpoint.getSecret(app.id, endpoint.id)).key, request)).toBe(true);
    });

    it('rotates the secret: the old one keeps signing alongside the new one for its grace period', async () => {
      const app = await h.svix.application.create({ name: 'Rotation' });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/rotation') });
      const first = (await h.svix.endpoint.getSecret(app.id, endpoint.id)).key;

      await h.svix.endpoint.rotateSecret(app.id, endpoint.id);
      const second = (await h.svix.endpoint.getSecret(app.id, endpoint.id)).key;
      expect(second).toMatch(/^whsec_/);
      expect(second).not.toBe(first);
      const [during] = await delivered((await h.svix.message.create(app.id, { eventType: 'a.b', payload: { n: 1 } })).id);
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verifies(first, during)).toBe(true);
      expect(verifies(second, during)).toBe(true);

      // A rotation with no grace period ends `second` at once; `first` is still in its own.
      const third = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
      await h.svix.endpoint.rotateSecret(app.id, endpoint.id, { key: third, gracePeriodSeconds: 0 });
      expect((await h.svix.endpoint.getSecret(app.id, endpoint.id)).key).toBe(third);
      const [after] = await delivered((await h.svix.message.create(app.id, { eventType: 'a.b', payload: { n: 2 } })).id);
      expect(verifies(third, after)).toBe(true);
      expect(verifies(first, after)).toBe(true);
      expect(verifies(second, after)).toBe(false);

      expect(await validationErrors(h.svix.endpoint.rotateSecret(app.id, endpoint.id, { key: 'not base64!' }))).toEqual([
        expect.objectContaining({ loc: ['body', 'key'] }),
      ]);
    });

    it('reads, replaces and patches the extra headers, hiding sensitive values', async () => {
      const app = await h.svix.application.create({ name: 'Headers' });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/headers'), headers: { 'x-a': '1', Authorization: 'Bearer s3cret' } });
      expect(await h.svix.endpoint.getHeaders(app.id, endpoint.id)).toEqual({ headers: { 'x-a': '1' }, sensitive: ['Authorization'] });

      await h.svix.endpoint.setHeaders(app.id, endpoint.id, { headers: { 'x-b': '2', 'x-c': '3' } });
      expect(await h.svix.endpoint.getHeaders(app.id, endpoint.id)).toEqual({ headers: { 'x-b': '2', 'x-c': '3' }, sensitive: [] });
      await h.svix.endpoint.patchHeaders(app.id, endpoint.id, { headers: { 'x-d': '4' }, deleteHeaders: ['x-b'] });
      expect(await h.svix.endpoint.getHeaders(app.id, endpoint.id)).toEqual({ headers: { 'x-c': '3', 'x-d': '4' }, sensitive: [] });

      const [request] = await delivered((await h.svix.message.create(app.id, { eventType: 'a.b', payload: {} })).id);
      expect(request.headers).toMatchObject({ 'x-c': '3', 'x-d': '4' });
      expect(request.headers['x-b']).toBeUndefined();
      expect(await validationErrors(h.svix.endpoint.setHeaders(app.id, endpoint.id, { headers: { 'webhook-id': 'forged' } }))).toEqual([
        expect.objectContaining({ loc: ['body', 'headers'] }),
      ]);
    });

    it('recovers failed deliveries in a background task and counts deliveries by status', async () => {
      const app = await h.svix.application.create({ name: 'Recover' });
      let healthy = false;
      h.receiver.answer((request, response) => void response.writeHead(request.path === '/recover' && !healthy ? 500 : 200).end());
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/recover') });
      const since = new Date(Date.now() - 1000);
      const messages = [];
      for (let i = 0; i < 3; i++) messages.push(await h.svix.message.create(app.id, { eventType: 'a.b', payload: { i } }));
      await vi.waitFor(async () => expect(await h.svix.endpoint.getStats(app.id, endpoint.id)).toMatchObject({ fail: 3 }), { timeout: 10_000, interval: 50 });

      healthy = true;
      const task = await h.svix.endpoint.recover(app.id, endpoint.id, { since });
      expect(task).toMatchObject({ task: 'endpoint.recover' });
      expect(task.id).toMatch(/^qtask_/);
      await vi.waitFor(async () => expect(await h.svix.backgroundTask.get(task.id)).toMatchObject({ status: BackgroundTaskStatus.Finished, data: { messagesSent: 3 } }), {
        timeout: 10_000,
        interval: 50,
      });
      await vi.waitFor(async () => expect(await h.svix.endpoint.getStats(app.id, endpoint.id)).toEqual({ success: 3, pending: 0, sending: 0, fail: 0, canceled: 0 }), {
        timeout: 10_000,
        interval: 50,
      });
      for (const message of messages) expect(deliveriesOf(h.receiver, message.id).length).toBe(3);
      expect((await h.svix.backgroundTask.list()).data.map((listed) => listed.id)).toContain(task.id);
      expect(await h.svix.endpoint.getStats(app.id, endpoint.id, { since: new Date(Date.now() + 60_000) })).toMatchObject({ success: 0, fail: 0 });
    });

    it("sends the event type's example payload (schemas['1'].examples) as a real message", async () => {
      h.receiver.status(200);
      await h.svix.eventType.create({ name: 'order.example', description: 'Example', schemas: ORDER_SCHEMA });
      await h.svix.eventType.create({ name: 'order.bare', description: 'No examples' });
      const app = await h.svix.application.create({ name: 'Examples' });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/example'), eventTypes: ['order.example'] });

      const sent = await h.svix.endpoint.sendExample(app.id, endpoint.id, { eventType: 'order.example' });
      expect(sent).toMatchObject({ eventType: 'order.example', payload: { id: 'ord_1', total: 1250 } });
      const [request] = await delivered(sent.id);
      expect(JSON.parse(request.body)).toEqual({ id: 'ord_1', total: 1250 });
      expect(verifies((await h.svix.endpoint.getSecret(app.id, endpoint.id)).key, request)).toBe(true);

      const second = await h.svix.endpoint.sendExample(app.id, endpoint.id, { eventType: 'order.example', exampleIndex: 1 });
      expect(JSON.parse((await delivered(second.id))[0].body)).toEqual({ id: 'ord_2', total: 99 });
      expect((await apiError(h.svix.endpoint.sendExample(app.id, endpoint.id, { eventType: 'order.bare' }))).code).toBe(422);
      expect((await apiError(h.svix.endpoint.sendExample(app.id, endpoint.id, { eventType: 'order.unknown' }))).code).toBe(404);
    });
  });
});
