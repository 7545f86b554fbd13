import { MessageStatus, messageInRaw, type ApplicationOut, type EndpointOut, type MessageAttemptOut, type MessageOut } from 'svix';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { apiError, deliveriesOf, OPERATOR_TOKEN, useDispatcher, validationErrors } from '../support/dispatcher-app.js';
import type { ReceivedRequest } from '../support/receiver.js';

/** Settling (EVENTS_SETTLE_MS) and a delivery or two on a busy machine. */
const WAIT = { timeout: 30_000, interval: 100 };

describe("Svix's message and attempt operations beyond sending and listing", () => {
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '50ms' });
  let app: ApplicationOut;
  let endpoint: EndpointOut;

  /** Raw HTTP for the operations the SDK has no method for. */
  async function call(path: string, token = OPERATOR_TOKEN): Promise<{ status: number; body: any }> {
    const response = await fetch(`${h.dispatcher.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.json() };
  }
  const portalToken = async (appId: string) => (await h.svix.authentication.appPortalAccess(appId, {})).token;

  async function delivered(msgId: string): Promise<ReceivedRequest> {
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, msgId)).not.toEqual([]), WAIT);
    return deliveriesOf(h.receiver, msgId)[0];
  }

  async function attemptOf(appId: string, msgId: string): Promise<MessageAttemptOut> {
    await vi.waitFor(async () => expect((await h.svix.messageAttempt.listByMsg(appId, msgId)).data).not.toEqual([]), WAIT);
    return (await h.svix.messageAttempt.listByMsg(appId, msgId)).data[0];
  }

  beforeAll(async () => {
    h.receiver.answer((request, response) => {
      if (request.path === '/failing') return void response.writeHead(500, { 'X-Receiver-Trace': 'trace-500' }).end('card 4242 declined');
      response.writeHead(200, { 'X-Receiver-Trace': 'trace-1', 'Set-Cookie': ['a=1', 'b=2'] }).end('ok');
    });
    app = await h.svix.application.create({ name: 'Operations', uid: 'operations' });
    endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/operations') });
    await h.svix.endpoint.patchHeaders(app.id, endpoint.id, { headers: { Authorization: 'Bearer s3cret-token', 'x-team': 'billing' } });
  });

  describe('expunging message payloads', () => {
    it('empties one payload (by id or eventId): the message stays, its payload reads {}', async () => {
      const message = await h.svix.message.create(app.id, { eventType: 'card.charged', payload: { card: '4242 4242' }, eventId: 'charge-1' });
      await delivered(message.id);
      await h.svix.message.expungeContent(app.id, 'charge-1');

      expect(await h.svix.message.get(app.id, message.id, { withContent: true })).toMatchObject({ id: message.id, eventType: 'card.charged', payload: {} });
      expect((await call(`/app/${app.id}/msg/${message.id}/raw`)).body).toEqual({ payload: '{}' });
      // Again: nothing left to empty, still a success.
      await h.svix.message.expungeContent(app.id, message.id);
    });

    it('keeps a message expunged before it was due from ever being sent: its delivery ends failed', async () => {
      const deliverAt = new Date(Date.now() + 1500);
      const message = await h.svix.message.create(app.id, { eventType: 'card.charged', payload: { card: '4000' }, deliverAt });
      await h.svix.message.expungeContent(app.id, message.id);
      await vi.waitFor(async () => {
        const [destination] = (await h.svix.messageAttempt.listAttemptedDestinations(app.id, message.id)).data;
        expect(destination.status).toBe(MessageStatus.Fail);
      }, WAIT);
      expect(deliveriesOf(h.receiver, message.id)).toEqual([]);
    });

    it('answers 404 for an unknown message or application, and keeps expunging from portal tokens', async () => {
      expect((await apiError(h.svix.message.expungeContent(app.id, 'msg_unknown'))).code).toBe(404);
      expect((await apiError(h.svix.message.expungeContent('no-such-app', 'msg_unknown'))).code).toBe(404);
      const message = await h.svix.message.create(app.id, { eventType: 'card.charged', payload: { kept: true } });
      const tenant = h.dispatcher.as(await portalToken(app.id));
      expect((await apiError(tenant.message.expungeContent(app.id, message.id))).code).toBe(403);
      expect((await apiError(tenant.message.bulkExpungeContent(app.id, { ids: [message.id] }))).code).toBe(403);
      expect((await apiError(tenant.message.expungeAllContents(app.id))).code).toBe(403);
      expect((await h.svix.message.get(app.id, message.id, { withContent: true })).payload).toEqual({ kept: true });
    });

    it('empties the payloads of the messages named, by id or eventId, and says which it did not find', async () => {
      const first = await h.svix.message.create(app.id, { eventType: 'card.charged', payload: { n: 1 } });
      await h.svix.message.create(app.id, { eventType: 'card.charged', payload: { n: 2 }, eventId: 'bulk-2' });
      const untouched = await h.svix.message.create(app.id, { eventType: 'card.charged', payload: { n: 3 } });
      const elsewhere = await h.svix.message.create(
        (await h.svix.application.create({ name: 'Elsewhere' })).id,
        { eventType: 'card.charged', payload: { n: 4 } },
      );

      const { results } = await h.svix.message.bulkExpungeContent(app.id, { ids: [first.id, 'bulk-2', 'never-sent', elsewhere.id] });
      expect(results).toEqual({ [first.id]: 'expunged', 'bulk-2': 'expunged', 'never-sent': 'not-found', [elsewhere.id]: 'not-found' });
      expect((await h.svix.message.get(app.id, first.id, { withContent: true })).payload).toEqual({});
      expect((await h.svix.message.get(app.id, 'bulk-2', { withContent: true })).payload).toEqual({});
      expect((await h.svix.message.get(app.id, untouched.id, { withContent: true })).payload).toEqual({ n: 3 });
      expect(await h.svix.message.bulkExpungeContent(app.id, {})).toEqual({ results: {} });

      expect((await validationErrors(h.svix.message.bulkExpungeContent(app.id, { ids: ['not an id!'] }))).map((detail) => detail.loc)).toEqual([['body', 'ids']]);
      expect((await apiError(h.svix.message.bulkExpungeContent('no-such-app', { ids: [first.id] }))).code).toBe(404);
    });

    it("empties every payload of the application in a background task that says how many, and no other application's", async () => {
      const purged = await h.svix.application.create({ name: 'Purged' });
      const kept = await h.svix.application.create({ name: 'Kept' });
      const sent = await Promise.all([1, 2, 3].map((n) => h.svix.message.create(purged.id, { eventType: 'card.charged', payload: { n } })));
      const other = await h.svix.message.create(kept.id, { eventType: 'card.charged', payload: { n: 4 } });

      const task = await h.svix.message.expungeAllContents(purged.id);
      expect(task).toMatchObject({ status: 'running', task: 'application.purge_content' });
      await vi.waitFor(async () => expect(await h.svix.backgroundTask.get(task.id)).toMatchObject({ status: 'finished', data: { messagesPurged: 3 } }), WAIT);
      for (const message of sent) expect((await h.svix.message.get(purged.id, message.id, { withContent: true })).payload).toEqual({});
      expect((await h.svix.message.get(kept.id, other.id, { withContent: true })).payload).toEqual({ n: 4 });

      expect((await apiError(h.svix.message.expungeAllContents('no-such-app'))).code).toBe(404);
    });
  });

  describe('raw payloads', () => {
    it('reads the payload as it was sent and delivered, byte for byte, for the operator and a portal token of the application', async () => {
      const raw = '{ "spaced" :  true,\n  "n": 1.50, "big": 12345678901234567890 }';
      const message = await h.svix.message.create(app.id, messageInRaw('card.charged', raw, 'application/json'));
      expect((await call(`/app/${app.id}/msg/${message.id}/raw`)).body).toEqual({ payload: raw });
      expect((await delivered(message.id)).body).toBe(raw);
      expect(await call(`/app/operations/msg/${message.id}/raw`, await portalToken(app.id))).toEqual({ status: 200, body: { payload: raw } });

      expect((await call(`/app/${app.id}/msg/msg_unknown/raw`)).status).toBe(404);
      expect((await call(`/app/no-such-app/msg/${message.id}/raw`)).status).toBe(404);
      const other = await h.svix.application.create({ name: 'Other tenant' });
      expect((await call(`/app/${app.id}/msg/${message.id}/raw`, await portalToken(other.id))).status).toBe(403);
    });
  });

  describe('precheck', () => {
    it('answers whether a message would be sent to any endpoint, as sending it decides', async () => {
      const checked = await h.svix.application.create({ name: 'Precheck' });
      const precheck = (eventType: string, channels?: string[]) => h.svix.message.precheck(checked.id, { eventType, channels });
      expect(await precheck('order.paid')).toEqual({ active: false });

      const filtered = await h.svix.endpoint.create(checked.id, { url: h.receiver.url('/precheck'), eventTypes: ['order.paid'], channels: ['eu'] });
      const cases: [string, string[] | undefined][] = [
        ['order.paid', ['eu']],
        ['order.paid', ['us']],
        ['order.paid', undefined],
        ['order.refunded', ['eu']],
      ];
      for (const [eventType, channels] of cases) {
        const { active } = await precheck(eventType, channels);
        const sent = await h.svix.message.create(checked.id, { eventType, channels, payload: {} });
        const owed = (await h.svix.messageAttempt.listAttemptedDestinations(checked.id, sent.id)).data.length > 0;
        expect(active, `${eventType} on ${channels}`).toBe(owed);
      }
      expect(await precheck('order.paid', ['eu'])).toEqual({ active: true });

      await h.svix.endpoint.patch(checked.id, filtered.id, { disabled: true });
      expect(await precheck('order.paid', ['eu'])).toEqual({ active: false });
    });

    it('answers 404 for an unknown application and 422 for a bad event type or channels', async () => {
      expect((await apiError(h.svix.message.precheck('no-such-app', { eventType: 'order.paid' }))).code).toBe(404);
      const details = await validationErrors(h.svix.message.precheck(app.id, { eventType: 'bad type!', channels: Array(11).fill('c') }));
      expect(details.map((detail) => detail.loc)).toEqual(expect.arrayContaining([['body', 'eventType'], ['body', 'channels']]));
    });
  });

  describe('the message stream (events)', () => {
    type Events = { data: MessageOut[]; iterator: string; done: boolean };
    const events = async (appId: string, query = '', token?: string): Promise<Events> => {
      const answer = await call(`/app/${appId}/events${query}`, token);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body as Events;
    };
    /** Reads on from `iterator` until the stream has given `count` messages, `limit` at a time. */
    async function readOn(appId: string, iterator: string, count: number, limit = 2): Promise<{ ids: string[]; iterator: string }> {
      const ids: string[] = [];
      await vi.waitFor(async () => {
        for (;;) {
          const page = await events(appId, `?limit=${limit}&iterator=${encodeURIComponent(iterator)}`);
          ids.push(...page.data.map((message) => message.id));
          iterator = page.iterator;
          if (page.done) break;
        }
        expect(ids.length).toBeGreaterThanOrEqual(count);
      }, WAIT);
      return { ids, iterator };
    }

    it('gives the messages oldest first and resumes right after the last one given, with none missed or repeated', async () => {
      const streamed = await h.svix.application.create({ name: 'Stream' });
      const empty = await events(streamed.id);
      expect(empty).toEqual({ data: [], iterator: '', done: true });

      // Sent together: several share a millisecond, and their writes commit in any order.
      const first = await Promise.all(Array.from({ length: 7 }, (_, n) => h.svix.message.create(streamed.id, { eventType: 'order.paid', payload: { n } })));
      const firstIds = first.map((message) => message.id).sort();
      const read = await readOn(streamed.id, empty.iterator, 7);
      expect(read.ids).toEqual(firstIds);

      const second = await Promise.all(Array.from({ length: 5 }, (_, n) => h.svix.message.create(streamed.id, { eventType: 'order.paid', payload: { n: 10 + n } })));
      const more = await readOn(streamed.id, read.iterator, 5, 3);
      expect(more.ids).toEqual(second.map((message) => message.id).sort());

      // Nothing new: the same place, nothing given.
      expect(await events(streamed.id, `?iterator=${encodeURIComponent(more.iterator)}`)).toEqual({ data: [], iterator: more.iterator, done: true });
      const page = await events(streamed.id, '?limit=1');
      expect(page.data[0]).toMatchObject({ id: firstIds[0], eventType: 'order.paid', payload: expect.any(Object) });
    });

    it('narrows the stream to event types, channels and a creation time, and goes on after it for the next read', async () => {
      const narrowed = await h.svix.application.create({ name: 'Narrowed' });
      const send = (eventType: string, channels?: string[]) => h.svix.message.create(narrowed.id, { eventType, channels, payload: {} });
      const old = await send('order.paid', ['eu']);
      await vi.waitFor(async () => expect((await events(narrowed.id)).data.map((message) => message.id)).toEqual([old.id]), WAIT);
      const since = new Date();
      const paidEu = await send('order.paid', ['eu']);
      const paidUs = await send('order.paid', ['us']);
      const refunded = await send('order.refunded', ['eu']);

      const read = async (query: string) => {
        let page: Events = { data: [], iterator: '', done: true };
        await vi.waitFor(async () => {
          page = await events(narrowed.id, query);
          expect(page.data.length).toBeGreaterThan(0);
        }, WAIT);
        return page;
      };
      expect((await read('?event_types=order.refunded')).data.map((message) => message.id)).toEqual([refunded.id]);
      expect((await read('?channels=us,nowhere')).data.map((message) => message.id)).toEqual([paidUs.id]);
      expect((await read(`?after=${since.toISOString()}&event_types=order.paid`)).data.map((message) => message.id)).toEqual([paidEu.id, paidUs.id]);

      // A read that finds nothing still hands back a place after what it passed over.
      const none = await events(narrowed.id, '?event_types=user.created');
      expect(none).toMatchObject({ data: [], done: true });
      const user = await send('user.created');
      const { ids } = await readOn(narrowed.id, none.iterator, 1);
      expect(ids).toEqual([user.id]);
      expect((await events(narrowed.id, `?event_types=user.created&iterator=${encodeURIComponent(none.iterator)}`)).data.map((message) => message.id)).toEqual([user.id]);
    });

    it('reaches a portal token of the application only, and answers 404 and 422 as the other listings do', async () => {
      expect((await call(`/app/${app.id}/events`, await portalToken(app.id))).status).toBe(200);
      expect((await call(`/app/${app.id}/events`, await portalToken((await h.svix.application.create({ name: 'Stranger' })).id))).status).toBe(403);
      expect((await call('/app/no-such-app/events')).status).toBe(404);
      const bad = await call(`/app/${app.id}/events?limit=0&after=yesterday&iterator=nonsense&event_types=bad%20type`);
      expect(bad.status).toBe(422);
      expect(bad.body.detail.map((detail: { loc: string[] }) => detail.loc)).toEqual(
        expect.arrayContaining([['query', 'limit'], ['query', 'after'], ['query', 'event_types']]),
      );
      expect((await call(`/app/${app.id}/events?iterator=nonsense`)).body.detail).toEqual([expect.objectContaining({ loc: ['query', 'iterator'] })]);
    });
  });

  describe('attempts', () => {
    let failing: EndpointOut;
    let failed: MessageOut[];

    beforeAll(async () => {
      failing = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/failing'), eventTypes: ['invoice.due'] });
      failed = await Promise.all([1, 2].map((n) => h.svix.message.create(app.id, { eventType: 'invoice.due', payload: { n }, channels: ['eu'] })));
      // 50ms schedule: a first attempt and one retry each, then the delivery has failed.
      await vi.waitFor(async () => {
        for (const message of failed) expect((await h.svix.messageAttempt.listAttemptedDestinations(app.id, message.id)).data.map((d) => d.status)).toContain(MessageStatus.Fail);
      }, WAIT);
    });

    it('counts attempts to an endpoint as list-by-endpoint lists them', async () => {
      const count = (query = '') => call(`/app/${app.id}/attempt/endpoint/${failing.id}/count${query}`);
      expect((await count()).body).toEqual({ count: 4, approximated: false });
      expect((await count('?status=2')).body).toEqual({ count: 4, approximated: false });
      expect((await count('?status=0')).body).toEqual({ count: 0, approximated: false });
      expect((await count('?status=1')).body).toEqual({ count: 0, approximated: false });
      expect((await count('?status_code_class=500&event_types=invoice.due&channel=eu')).body).toEqual({ count: 4, approximated: false });
      expect((await count('?status_code_class=200')).body).toEqual({ count: 0, approximated: false });
      expect((await count(`?before=${new Date(Date.now() + 60_000).toISOString()}&after=${new Date(Date.now() - 600_000).toISOString()}`)).body.count).toBe(4);
      // Deliveries of earlier tests may still be landing: the two agree once they have.
      await vi.waitFor(async () => {
        const listed = await h.svix.messageAttempt.listByEndpoint(app.id, endpoint.id, { limit: 250 });
        expect((await call(`/app/${app.id}/attempt/endpoint/${endpoint.id}/count`)).body.count).toBe(listed.data.length);
      }, WAIT);

      expect((await call(`/app/${app.id}/attempt/endpoint/ep_unknown/count`)).status).toBe(404);
      expect((await call(`/app/${app.id}/attempt/endpoint/ep_unknown/count?status=1`)).status).toBe(404);
      expect((await call(`/app/no-such-app/attempt/endpoint/${failing.id}/count`)).status).toBe(404);
      const bad = await count('?status=7&status_code_class=42&before=soon');
      expect(bad.body.detail.map((detail: { loc: string[] }) => detail.loc)).toEqual(
        expect.arrayContaining([['query', 'status'], ['query', 'status_code_class'], ['query', 'before']]),
      );
      expect((await call(`/app/${app.id}/attempt/endpoint/${failing.id}/count`, await portalToken(app.id))).body.count).toBe(4);
    });

    it('shows the headers an attempt sent, signatures and secret headers masked, and those of the response', async () => {
      const message = await h.svix.message.create(app.id, { eventType: 'card.charged', payload: { n: 1 } });
      const request = await delivered(message.id);
      const attempt = await attemptOf(app.id, message.id);
      const answer = await call(`/app/${app.id}/msg/${message.id}/attempt/${attempt.id}/headers`);
      expect(answer.status).toBe(200);
      const { sentHeaders, sensitive, responseHeaders } = answer.body as { sentHeaders: Record<string, string>; sensitive: string[]; responseHeaders: string[][] };

      expect([...sensitive].sort()).toEqual(['Authorization', 'svix-signature', 'webhook-signature']);
      for (const name of sensitive) expect(sentHeaders[name]).toBe('********');
      expect(JSON.stringify(answer.body)).not.toMatch(/s3cret|v1,/);
      // Every other header as the receiver got it.
      for (const [name, value] of Object.entries(sentHeaders).filter(([name]) => !sensitive.includes(name))) {
        expect(request.headers[name.toLowerCase()], name).toBe(value);
      }
      expect(sentHeaders).toMatchObject({ 'webhook-id': message.id, 'svix-id': message.id, 'x-team': 'billing', 'content-type': 'application/json' });
      expect(responseHeaders).toEqual(expect.arrayContaining([['X-Receiver-Trace', 'trace-1'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]));

      const tenant = await portalToken(app.id);
      expect((await call(`/app/${app.id}/msg/${message.id}/attempt/${attempt.id}/headers`, tenant)).body).toEqual(answer.body);
      expect((await call(`/app/${app.id}/msg/${message.id}/attempt/atmpt_unknown/headers`)).status).toBe(404);
      expect((await call(`/app/${app.id}/msg/${failed[0].id}/attempt/${attempt.id}/headers`)).status).toBe(404);
      expect((await call(`/app/no-such-app/msg/${message.id}/attempt/${attempt.id}/headers`)).status).toBe(404);
    });

    it("replaces an attempt's response (body and headers) with EXPUNGED, and no other's", async () => {
      const [first, second] = (await h.svix.messageAttempt.listByMsg(app.id, failed[0].id, { withContent: true })).data;
      expect(first.response).toBe('card 4242 declined');
      await h.svix.messageAttempt.expungeContent(app.id, failed[0].id, first.id);

      expect((await h.svix.messageAttempt.get(app.id, failed[0].id, first.id)).response).toBe('EXPUNGED');
      expect((await h.svix.messageAttempt.get(app.id, failed[0].id, second.id)).response).toBe('card 4242 declined');
      const headers = await call(`/app/${app.id}/msg/${failed[0].id}/attempt/${first.id}/headers`);
      expect(headers.body).toMatchObject({ responseHeaders: null, sentHeaders: expect.objectContaining({ 'webhook-id': failed[0].id }) });

      expect((await apiError(h.svix.messageAttempt.expungeContent(app.id, failed[0].id, 'atmpt_unknown'))).code).toBe(404);
      expect((await apiError(h.svix.messageAttempt.expungeContent(app.id, failed[1].id, second.id))).code).toBe(404);
      expect((await apiError(h.svix.messageAttempt.expungeContent('no-such-app', failed[0].id, second.id))).code).toBe(404);
      expect((await apiError(h.dispatcher.as(await portalToken(app.id)).messageAttempt.expungeContent(app.id, failed[0].id, second.id))).code).toBe(403);
    });
  });
});
