import { Webhook, type ApplicationOut, type EndpointOut } from 'svix';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MessageEntity } from '@homing/webhooks';
import type { ReceivedRequest } from '../support/receiver.js';
import { apiError, deliveriesOf, OPERATOR_TOKEN, useDispatcher } from '../support/dispatcher-app.js';

/** Identifiers compare byte for byte, tenants stay sealed, payloads go out as sent: tried as an adversarial user would. */
describe('identifiers are exact and tenants sealed, through the HTTP API', () => {
  const h = useDispatcher();

  async function delivered(msgId: string): Promise<ReceivedRequest> {
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, msgId)).toHaveLength(1), { timeout: 10_000, interval: 20 });
    return deliveriesOf(h.receiver, msgId)[0];
  }

  /** POSTs a message with the body text as given; the path segment is sent as written (already encoded). */
  async function postMessage(appSegment: string, body: string): Promise<{ status: number; body: { id?: string; code?: string } }> {
    const response = await fetch(`${h.dispatcher.url}/api/v1/app/${appSegment}/msg/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, body: (await response.json()) as { id?: string; code?: string } };
  }

  const messageCount = () => h.dispatcher.dataSource.getRepository(MessageEntity).count();

  describe('an application named by another case, a trailing space or its id in lower case', () => {
    let acme: ApplicationOut;

    beforeAll(async () => {
      acme = await h.svix.application.create({ name: 'Acme', uid: 'acme' });
      await h.svix.endpoint.create(acme.id, { url: h.receiver.url('/acme') });
    });

    it('is a 404 that stores nothing, while the exact uid and id are delivered', async () => {
      const before = await messageCount();
      for (const segment of ['ACME', 'Acme', 'acme%20', acme.id.toLowerCase(), `${acme.id}%20`]) {
        const answer = await postMessage(segment, JSON.stringify({ eventType: 'order.paid', payload: {} }));
        expect(answer, segment).toMatchObject({ status: 404, body: { code: 'not_found' } });
      }
      expect(await messageCount()).toBe(before);

      for (const segment of ['acme', acme.id]) {
        const answer = await postMessage(segment, JSON.stringify({ eventType: 'order.paid', payload: { via: segment } }));
        expect(answer.status).toBe(202);
        expect((await delivered(answer.body.id!)).body).toBe(JSON.stringify({ via: segment }));
      }
    });

    it('lets uids that differ only by case be different applications, each reached by its own', async () => {
      const upper = await h.svix.application.create({ name: 'Other Acme', uid: 'ACME' });
      expect(upper.id).not.toBe(acme.id);
      expect((await h.svix.application.get('ACME')).id).toBe(upper.id);
      expect((await h.svix.application.get('acme')).id).toBe(acme.id);
      expect(await h.svix.endpoint.list('ACME')).toMatchObject({ data: [] });
    });
  });

  describe('a uid equal to another application id', () => {
    let tenantB: ApplicationOut;
    let endpointB: EndpointOut;
    let tenantC: ApplicationOut;

    beforeAll(async () => {
      tenantB = await h.svix.application.create({ name: 'Tenant B' });
      endpointB = await h.svix.endpoint.create(tenantB.id, { url: h.receiver.url('/b') });
      tenantC = await h.svix.application.create({ name: 'Tenant C', uid: tenantB.id });
    });

    it('is accepted, and the id wins: the path names the application whose id it is', async () => {
      expect((await h.svix.application.get(tenantB.id)).id).toBe(tenantB.id);
      expect((await h.svix.application.get(tenantC.id)).uid).toBe(tenantB.id);
    });

    it("gives that tenant's portal token a 403 on every read and write of the other application", async () => {
      const portal = h.dispatcher.as((await h.svix.authentication.appPortalAccess(tenantC.id)).token);
      for (const call of [
        () => portal.endpoint.list(tenantB.id),
        () => portal.endpoint.getSecret(tenantB.id, endpointB.id),
        () => portal.endpoint.patch(tenantB.id, endpointB.id, { description: 'taken over' }),
        () => portal.endpoint.get(tenantB.id, endpointB.id),
      ]) {
        expect((await apiError(call())).code).toBe(403);
      }
      expect((await h.svix.endpoint.get(tenantB.id, endpointB.id)).description).toBe('');
    });

    it("lets a uid be another application's id in lower case: each is reached by its own, tokens included", async () => {
      const tenantD = await h.svix.application.create({ name: 'Tenant D', uid: tenantB.id.toLowerCase() });
      expect((await h.svix.application.get(tenantB.id.toLowerCase())).id).toBe(tenantD.id);
      const portal = h.dispatcher.as((await h.svix.authentication.appPortalAccess(tenantD.id)).token);
      expect((await apiError(portal.endpoint.getSecret(tenantB.id, endpointB.id))).code).toBe(403);
      const own = await portal.endpoint.create(tenantB.id.toLowerCase(), { url: h.receiver.url('/d') });
      expect((await h.svix.endpoint.list(tenantD.id)).data.map((endpoint) => endpoint.id)).toEqual([own.id]);
      expect((await h.svix.endpoint.list(tenantB.id)).data.map((endpoint) => endpoint.id)).toEqual([endpointB.id]);
    });
  });

  describe('keys of the caller', () => {
    let app: ApplicationOut;

    beforeAll(async () => {
      app = await h.svix.application.create({ name: 'Keys', uid: 'keys' });
      await h.svix.endpoint.create(app.id, { url: h.receiver.url('/keys'), uid: 'primary' });
    });

    it('treats eventIds that differ only by case as two messages, each found by its own', async () => {
      const first = await h.svix.message.create(app.id, { eventType: 'order.paid', payload: { n: 1 }, eventId: 'Order-ABC' });
      const second = await h.svix.message.create(app.id, { eventType: 'order.paid', payload: { n: 2 }, eventId: 'order-abc' });
      expect(second.id).not.toBe(first.id);
      expect((await h.svix.message.get(app.id, 'order-abc')).id).toBe(second.id);
      expect((await h.svix.message.get(app.id, 'Order-ABC')).id).toBe(first.id);
      expect((await apiError(h.svix.message.get(app.id, 'ORDER-ABC'))).code).toBe(404);
      expect((await apiError(h.svix.message.create(app.id, { eventType: 'order.paid', payload: {}, eventId: 'order-abc' }))).code).toBe(409);
    });

    it('treats endpoint uids that differ only by case as two endpoints', async () => {
      const other = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/keys-2'), uid: 'PRIMARY' });
      expect((await h.svix.endpoint.get(app.id, 'PRIMARY')).id).toBe(other.id);
      expect((await h.svix.endpoint.get(app.id, 'primary')).id).not.toBe(other.id);
      expect((await apiError(h.svix.endpoint.get(app.id, 'Primary'))).code).toBe(404);
    });

    it('matches event-type names, filters, channels and tags exactly', async () => {
      await h.svix.eventType.create({ name: 'invoice.paid', description: 'lower' });
      await h.svix.eventType.create({ name: 'Invoice.Paid', description: 'mixed' });
      expect((await h.svix.eventType.get('Invoice.Paid')).description).toBe('mixed');
      const filtered = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/filtered'), eventTypes: ['invoice.paid'], channels: ['eu'] });

      const wrongType = await h.svix.message.create(app.id, { eventType: 'Invoice.Paid', payload: {}, channels: ['eu'], tags: ['VIP'] });
      const wrongChannel = await h.svix.message.create(app.id, { eventType: 'invoice.paid', payload: {}, channels: ['EU'], tags: ['vip'] });
      const right = await h.svix.message.create(app.id, { eventType: 'invoice.paid', payload: {}, channels: ['eu'] });
      const destinations = async (msgId: string) =>
        (await h.svix.messageAttempt.listAttemptedDestinations(app.id, msgId)).data.map((destination) => destination.id);
      await vi.waitFor(async () => expect(await destinations(right.id)).toContain(filtered.id), { timeout: 10_000 });
      expect(await destinations(wrongType.id)).not.toContain(filtered.id);
      expect(await destinations(wrongChannel.id)).not.toContain(filtered.id);

      const byTag = await h.svix.message.list(app.id, { tag: 'vip' });
      expect(byTag.data.map((message) => message.id)).toEqual([wrongChannel.id]);
      const byChannel = await h.svix.message.list(app.id, { channel: 'EU' });
      expect(byChannel.data.map((message) => message.id)).toEqual([wrongChannel.id]);
    });
  });

  describe('a payload given as JSON in the request', () => {
    it('is signed and delivered as the exact text the client sent', async () => {
      const app = await h.svix.application.create({ name: 'Bytes', uid: 'bytes' });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/bytes') });
      const payloads = [
        '{"id":12345678901234567890,"f":1.0,"e":1e2,"n":-0}',
        '{ "spaced" :\t[1 , 2],\n "escaped": "\\u00e9\\/", "emoji": "🚀", "dup": 1, "dup": 2 }',
      ];
      const secret = (await h.svix.endpoint.getSecret(app.id, endpoint.id)).key;
      for (const payload of payloads) {
        const answer = await postMessage('bytes', `{"eventType": "order.paid", "payload": ${payload}, "tags": ["x"]}`);
        expect(answer.status).toBe(202);
        const request = await delivered(answer.body.id!);
        expect(request.body).toBe(payload);
        expect(() => new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
      }
    });
  });
});
