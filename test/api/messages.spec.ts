import { MessageStatus, messageInRaw, Webhook, type ApplicationOut, type EndpointOut } from 'svix';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReceivedRequest } from '../support/receiver.js';
import { apiError, deliveriesOf, useDispatcher, validationErrors } from '../support/dispatcher-app.js';

describe('messages and attempts through the svix SDK', () => {
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '50ms' });

  async function delivered(msgId: string, count = 1): Promise<ReceivedRequest[]> {
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, msgId).length).toBeGreaterThanOrEqual(count), { timeout: 10_000, interval: 20 });
    return deliveriesOf(h.receiver, msgId);
  }

  describe('messages', () => {
    let app: ApplicationOut;
    let endpoint: EndpointOut;

    beforeAll(async () => {
      app = await h.svix.application.create({ name: 'Messages', uid: 'messages' });
      endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/messages') });
    });

    it('creates a message that is delivered signed, byte for byte, and reads it back by id and eventId', async () => {
      const payload = { id: 'ord_1', name: 'Zoë 🚀', total: 12.5 };
      const created = await h.svix.message.create('messages', { eventType: 'order.completed', payload, eventId: 'evt-1', channels: ['eu'], tags: ['vip'] });
      expect(created).toMatchObject({ eventType: 'order.completed', eventId: 'evt-1', channels: ['eu'], tags: ['vip'], payload: {} });
      expect(created.id).toMatch(/^msg_/);
      expect(created.timestamp).toBeInstanceOf(Date);

      const [request] = await delivered(created.id);
      expect(request.body).toBe(JSON.stringify(payload));
      const secret = (await h.svix.endpoint.getSecret(app.id, endpoint.id)).key;
      expect(() => new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();

      expect(await h.svix.message.get(app.id, created.id, { withContent: true })).toMatchObject({ id: created.id, payload });
      expect(await h.svix.message.get(app.id, 'evt-1', { withContent: true })).toMatchObject({ id: created.id, payload });
      expect(await h.svix.message.get(app.id, created.id)).toMatchObject({ payload: {} });
      expect((await h.svix.message.create(app.id, { eventType: 'order.completed', payload }, { withContent: true })).payload).toEqual(payload);
    });

    it('answers 409 for a second message with the same eventId, 422 for a payload that is not an object, 413 for one too large', async () => {
      await h.svix.message.create(app.id, { eventType: 'order.completed', payload: {}, eventId: 'evt-dup' });
      const conflict = await apiError(h.svix.message.create(app.id, { eventType: 'order.completed', payload: {}, eventId: 'evt-dup' }));
      expect(conflict.code).toBe(409);
      expect(conflict.body.code).toBe('conflict');

      const details = await validationErrors(h.svix.message.create(app.id, { eventType: 'bad type!', payload: 'text', channels: Array(11).fill('c') }));
      expect(details.map((detail) => detail.loc)).toEqual(expect.arrayContaining([['body', 'eventType'], ['body', 'payload'], ['body', 'channels']]));

      const tooLarge = await apiError(h.svix.message.create(app.id, { eventType: 'order.completed', payload: { blob: 'x'.repeat(1_200_000) } }));
      expect(tooLarge.code).toBe(413);
      expect(tooLarge.body.code).toBe('payload_too_large');
    });

    it('delivers a raw payload exactly as given', async () => {
      const raw = '{ "spaced" :  true,\n  "n": 1.50 }';
      const created = await h.svix.message.create(app.id, messageInRaw('order.completed', raw, 'application/json'));
      expect((await delivered(created.id))[0].body).toBe(raw);
    });

    it('holds a message with deliverAt until then', async () => {
      const deliverAt = new Date(Date.now() + 1500);
      const created = await h.svix.message.create(app.id, { eventType: 'order.later', payload: { later: true }, deliverAt });
      expect(created.deliverAt).toEqual(deliverAt);
      expect((await h.svix.messageAttempt.listAttemptedMessages(app.id, endpoint.id, { eventTypes: ['order.later'] })).data).toEqual([
        expect.objectContaining({ id: created.id, status: MessageStatus.Pending, nextAttempt: deliverAt }),
      ]);
      const [request] = await delivered(created.id);
      // Not before deliverAt (give or take the Redis and Node clocks' few milliseconds apart).
      expect(request.receivedAt).toBeGreaterThanOrEqual(deliverAt.getTime() - 50);
    });

    it('creates the application with the message when asked to', async () => {
      const created = await h.svix.message.create('made-with-message', {
        eventType: 'order.completed',
        payload: {},
        application: { name: 'Made with a message', uid: 'made-with-message' },
      });
      expect(await h.svix.application.get('made-with-message')).toMatchObject({ name: 'Made with a message' });
      expect(await h.svix.message.get('made-with-message', created.id)).toMatchObject({ id: created.id });
      expect((await apiError(h.svix.message.create('no-such-app', { eventType: 'a.b', payload: {} }))).code).toBe(404);
      expect(await validationErrors(h.svix.message.create('other-uid', { eventType: 'a.b', payload: {}, application: { name: 'x', uid: 'not-the-path' } }))).toEqual([
        expect.objectContaining({ loc: ['body', 'application', 'uid'] }),
      ]);
    });
  });

  describe('listing messages', () => {
    let appId: string;
    const ids: Record<string, string> = {};
    let middle: Date;

    beforeAll(async () => {
      appId = (await h.svix.application.create({ name: 'Listing' })).id;
      const send = async (name: string, eventType: string, channels?: string[], tags?: string[]) =>
        (ids[name] = (await h.svix.message.create(appId, { eventType, payload: { name }, channels, tags })).id);
      await send('a', 'order.created', ['eu']);
      await send('b', 'order.completed', ['us'], ['vip']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      middle = new Date();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await send('c', 'order.completed', ['eu', 'us']);
      await send('d', 'user.created');
      await send('e', 'order.created', undefined, ['vip']);
    });

    const listed = async (options: Parameters<typeof h.svix.message.list>[1] = {}) => (await h.svix.message.list(appId, { limit: 250, ...options })).data.map((message) => message.id);

    it('lists newest first, with iterator pagination', async () => {
      const seen: string[] = [];
      let page = await h.svix.message.list(appId, { limit: 2 });
      for (;;) {
        seen.push(...page.data.map((message) => message.id));
        if (page.done) break;
        page = await h.svix.message.list(appId, { limit: 2, iterator: page.iterator });
      }
      expect(seen).toEqual([ids.e, ids.d, ids.c, ids.b, ids.a]);
      expect((await h.svix.message.list(appId, { withContent: true, limit: 1 })).data[0].payload).toEqual({ name: 'e' });
    });

    it('filters by event types, channel, tag, before and after', async () => {
      expect(await listed({ eventTypes: ['order.created', 'user.created'] })).toEqual([ids.e, ids.d, ids.a]);
      expect(await listed({ channel: 'eu' })).toEqual([ids.c, ids.a]);
      expect(await listed({ tag: 'vip' })).toEqual([ids.e, ids.b]);
      expect(await listed({ before: middle })).toEqual([ids.b, ids.a]);
      expect(await listed({ after: middle })).toEqual([ids.e, ids.d, ids.c]);
      expect(await listed({ after: middle, eventTypes: ['order.completed'], channel: 'us' })).toEqual([ids.c]);
    });
  });

  describe('attempts', () => {
    let app: ApplicationOut;
    let good: EndpointOut;
    let bad: EndpointOut;
    let msgId: string;

    beforeAll(async () => {
      h.receiver.answer((request, response) => void response.writeHead(request.path === '/bad' ? 503 : 200).end(request.path === '/bad' ? 'down' : 'ok'));
      app = await h.svix.application.create({ name: 'Attempts' });
      good = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/good'), uid: 'good' });
      bad = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/bad') });
      msgId = (await h.svix.message.create(app.id, { eventType: 'order.completed', payload: { n: 1 } })).id;
      // One attempt to the good endpoint; two (with the retry) to the bad one, which then fails.
      await vi.waitFor(async () => expect((await h.svix.endpoint.getStats(app.id, bad.id)).fail).toBe(1), { timeout: 10_000, interval: 50 });
    });

    it('lists attempts by endpoint, filtered by status, and by message', async () => {
      const toGood = await h.svix.messageAttempt.listByEndpoint(app.id, 'good', { withContent: true });
      expect(toGood.data).toEqual([
        expect.objectContaining({ msgId, endpointId: good.id, status: MessageStatus.Success, statusText: 'success', responseStatusCode: 200, response: 'ok', triggerType: 0 }),
      ]);
      const failed = await h.svix.messageAttempt.listByEndpoint(app.id, bad.id, { status: MessageStatus.Fail, withMsg: true });
      expect(failed.data).toHaveLength(2);
      expect(failed.data[0]).toMatchObject({ status: MessageStatus.Fail, responseStatusCode: 503, response: '', msg: expect.objectContaining({ id: msgId }) });
      expect((await h.svix.messageAttempt.listByEndpoint(app.id, bad.id, { status: MessageStatus.Success })).data).toEqual([]);
      expect((await h.svix.messageAttempt.listByEndpoint(app.id, bad.id, { statusCodeClass: 500 })).data).toHaveLength(2);

      const byMessage = await h.svix.messageAttempt.listByMsg(app.id, msgId);
      expect(byMessage.data).toHaveLength(3);
      expect(byMessage.data.map((attempt) => attempt.id)).toEqual([...byMessage.data.map((attempt) => attempt.id)].sort().reverse());
      expect((await h.svix.messageAttempt.listByMsg(app.id, msgId, { endpointId: good.id })).data).toHaveLength(1);
      const firstPage = await h.svix.messageAttempt.listByMsg(app.id, msgId, { limit: 2 });
      const secondPage = await h.svix.messageAttempt.listByMsg(app.id, msgId, { limit: 2, iterator: firstPage.iterator });
      expect([...firstPage.data, ...secondPage.data].map((attempt) => attempt.id)).toEqual(byMessage.data.map((attempt) => attempt.id));
      expect(secondPage.done).toBe(true);
    });

    it('gets one attempt', async () => {
      const [attempt] = (await h.svix.messageAttempt.listByEndpoint(app.id, good.id)).data;
      expect(await h.svix.messageAttempt.get(app.id, msgId, attempt.id)).toMatchObject({ id: attempt.id, url: h.receiver.url('/good'), response: 'ok' });
      expect((await apiError(h.svix.messageAttempt.get(app.id, msgId, 'atmpt_missing'))).code).toBe(404);
    });

    it('lists the messages an endpoint was sent and the destinations of a message, with their status', async () => {
      expect((await h.svix.messageAttempt.listAttemptedMessages(app.id, bad.id)).data).toEqual([
        expect.objectContaining({ id: msgId, status: MessageStatus.Fail, statusText: 'fail', nextAttempt: null }),
      ]);
      expect((await h.svix.messageAttempt.listAttemptedMessages(app.id, good.id, { status: MessageStatus.Fail })).data).toEqual([]);
      const destinations = await h.svix.messageAttempt.listAttemptedDestinations(app.id, msgId);
      expect(destinations.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: good.id, url: h.receiver.url('/good'), status: MessageStatus.Success }),
          expect.objectContaining({ id: bad.id, status: MessageStatus.Fail }),
        ]),
      );
      expect(destinations.data).toHaveLength(2);
    });

    it('resends a message to an endpoint as a manual attempt', async () => {
      h.receiver.status(200, 'recovered');
      expect(await h.svix.messageAttempt.resend(app.id, msgId, bad.id)).toEqual({});
      await delivered(msgId, 4);
      await vi.waitFor(async () => expect((await h.svix.messageAttempt.listByEndpoint(app.id, bad.id)).data).toHaveLength(3), { timeout: 10_000, interval: 50 });
      const [latest] = (await h.svix.messageAttempt.listByEndpoint(app.id, bad.id, { withContent: true })).data;
      expect(latest).toMatchObject({ status: MessageStatus.Success, triggerType: 1, response: 'recovered' });
      expect((await h.svix.endpoint.getStats(app.id, bad.id)).success).toBe(1);
      expect((await apiError(h.svix.messageAttempt.resend(app.id, 'msg_missing', bad.id))).code).toBe(404);
    });
  });
});
