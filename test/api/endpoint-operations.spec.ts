import type { ServerResponse } from 'node:http';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { BackgroundTaskStatus, MessageStatus, StatusCodeClass, Webhook, type Svix } from 'svix';
import { describe, expect, it, vi } from 'vitest';
import { DELIVERY_QUEUE } from '../../libs/webhooks/src/webhooks.constants.js';
import type { ReceivedRequest } from '../support/receiver.js';
import { apiError, OPERATOR_TOKEN, useDispatcher, validationErrors } from '../support/dispatcher-app.js';

const WAIT = { timeout: 20_000, interval: 50 };

describe("Svix's endpoint operations: replay missing, bulk replay, cancel, throttling status", () => {
  // One quick retry, so a failing delivery ends `failed` within the test.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '300ms' });

  /** Requests the receiver got on `path` for a message. */
  const received = (path: string, msgId: string): ReceivedRequest[] => h.receiver.on(path).filter((request) => request.headers['webhook-id'] === msgId);

  /** Whether the request is signed with the endpoint's secret, as a receiver checks it with the svix package. */
  async function signed(svix: Svix, appId: string, endpointId: string, request: ReceivedRequest): Promise<boolean> {
    try {
      new Webhook((await svix.endpoint.getSecret(appId, endpointId)).key).verify(request.body, request.headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  }

  async function finished(taskId: string, svix: Svix = h.svix): Promise<number> {
    let sent = -1;
    await vi.waitFor(async () => {
      const task = await svix.backgroundTask.get(taskId);
      expect(task.status).toBe(BackgroundTaskStatus.Finished);
      sent = task.data.messagesSent as number;
    }, WAIT);
    return sent;
  }

  /** The Svix operations the SDK has no method for. */
  async function raw(method: 'GET' | 'POST', path: string, body?: unknown, token = OPERATOR_TOKEN) {
    const response = await fetch(`${h.dispatcher.url}/api/v1/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  const queue = () => h.dispatcher.app.get<Queue>(getQueueToken(DELIVERY_QUEUE));

  /** Brings a delivery's retry, waiting in Redis, forward to now and waits until a worker has taken it. */
  /** Runs a job for the delivery's retry now, as a stale job (or one the sweeper queued) would, and waits until it is done. */
  async function runRetryNow(msgId: string, endpointId: string, attempts: number): Promise<void> {
    const id = `${msgId}:${endpointId}:${attempts}`;
    await queue().add({ msgId, endpointId, attempts }, { jobId: id, removeOnComplete: true, removeOnFail: true });
    await vi.waitFor(async () => expect(await queue().getJob(id)).toBeNull(), WAIT);
  }

  describe('replay-missing', () => {
    it('sends, signed, only the messages the endpoint would have got but has no delivery of, once', async () => {
      h.receiver.status(200);
      const app = await h.svix.application.create({ name: 'Replay missing' });
      await h.svix.endpoint.create(app.id, { url: h.receiver.url('/first') });
      const since = new Date(Date.now() - 1000);
      const payloads = [{ n: 1 }, { n: 2 }];
      const early = await h.svix.message.create(app.id, { eventType: 'order.created', payload: payloads[0] });
      const onChannel = await h.svix.message.create(app.id, { eventType: 'order.created', payload: payloads[1], channels: ['eu'] });
      const otherType = await h.svix.message.create(app.id, { eventType: 'user.created', payload: { n: 3 } });
      await vi.waitFor(() => expect(h.receiver.on('/first')).toHaveLength(3), WAIT);

      const late = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/late'), eventTypes: ['order.created'] });
      const after = await h.svix.message.create(app.id, { eventType: 'order.created', payload: { n: 4 } });
      await vi.waitFor(() => expect(received('/late', after.id)).toHaveLength(1), WAIT);

      const task = await h.svix.endpoint.replayMissing(app.id, late.id, { since });
      expect(task).toMatchObject({ task: 'endpoint.replay' });
      expect(task.id).toMatch(/^qtask_/);
      expect(await finished(task.id)).toBe(2);
      await vi.waitFor(() => expect(h.receiver.on('/late')).toHaveLength(3), WAIT);
      for (const [i, message] of [early, onChannel].entries()) {
        const [request] = received('/late', message.id);
        expect(await signed(h.svix, app.id, late.id, request)).toBe(true);
        expect(JSON.parse(request.body)).toEqual(payloads[i]);
      }
      expect(received('/late', otherType.id)).toEqual([]);
      expect(received('/late', after.id)).toHaveLength(1);

      // Nothing is missing any more.
      expect(await finished((await h.svix.endpoint.replayMissing(app.id, late.id, { since })).id)).toBe(0);
      await vi.waitFor(async () => expect(await h.svix.endpoint.getStats(app.id, late.id)).toMatchObject({ success: 3, pending: 0, sending: 0 }), WAIT);
      expect(h.receiver.on('/late')).toHaveLength(3);
    });

    it('keeps to the window and to the channels the endpoint listens to', async () => {
      h.receiver.status(200);
      const app = await h.svix.application.create({ name: 'Replay window' });
      const since = new Date(Date.now() - 1000);
      const first = await h.svix.message.create(app.id, { eventType: 'a.b', payload: {}, channels: ['eu'] });
      const until = new Date(Date.now() + 1);
      await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(until.getTime()), WAIT);
      const second = await h.svix.message.create(app.id, { eventType: 'a.b', payload: {}, channels: ['eu'] });
      const elsewhere = await h.svix.message.create(app.id, { eventType: 'a.b', payload: {}, channels: ['us'] });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/window'), channels: ['eu'] });

      expect(await finished((await h.svix.endpoint.replayMissing(app.id, endpoint.id, { since, until })).id)).toBe(1);
      await vi.waitFor(() => expect(received('/window', first.id)).toHaveLength(1), WAIT);
      expect(await finished((await h.svix.endpoint.replayMissing(app.id, endpoint.id, { since })).id)).toBe(1);
      await vi.waitFor(() => expect(received('/window', second.id)).toHaveLength(1), WAIT);
      expect(received('/window', elsewhere.id)).toEqual([]);
    });
  });

  describe('bulk-replay', () => {
    it('resends ended deliveries by status, response class, event type and tag, in a background task', async () => {
      let healthy = false;
      h.receiver.answer((request, response) => void response.writeHead(request.path === '/bulk' && !healthy && request.body.includes('"fail"') ? 500 : 200).end());
      const app = await h.svix.application.create({ name: 'Bulk replay' });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/bulk') });
      const since = new Date(Date.now() - 1000);
      const paid = await h.svix.message.create(app.id, { eventType: 'order.paid', payload: { ok: true }, tags: ['vip'] });
      const paidFailed = await h.svix.message.create(app.id, { eventType: 'order.paid', payload: { fail: true } });
      const user = await h.svix.message.create(app.id, { eventType: 'user.created', payload: { ok: true } });
      const userFailed = await h.svix.message.create(app.id, { eventType: 'user.created', payload: { fail: true } });
      const settled = async (success: number, fail: number) =>
        vi.waitFor(async () => expect(await h.svix.endpoint.getStats(app.id, endpoint.id)).toEqual({ success, fail, pending: 0, sending: 0, canceled: 0 }), WAIT);
      await settled(2, 2);
      const count = (msgId: string) => received('/bulk', msgId).length;
      expect([paid, paidFailed, user, userFailed].map((message) => count(message.id))).toEqual([1, 2, 1, 2]);

      healthy = true;
      const failed = await h.svix.endpoint.bulkReplay(app.id, endpoint.id, { since, status: MessageStatus.Fail, statusCodeClass: StatusCodeClass.Code5xx });
      expect(failed).toMatchObject({ task: 'endpoint.bulk-replay' });
      expect(await finished(failed.id)).toBe(2);
      await settled(4, 0);
      expect([paid, paidFailed, user, userFailed].map((message) => count(message.id))).toEqual([1, 3, 1, 3]);
      const replayed = received('/bulk', paidFailed.id)[2];
      expect(await signed(h.svix, app.id, endpoint.id, replayed)).toBe(true);
      expect(replayed.body).toBe(received('/bulk', paidFailed.id)[0].body);

      expect(await finished((await h.svix.endpoint.bulkReplay(app.id, endpoint.id, { since, eventTypes: ['user.created'] })).id)).toBe(2);
      await settled(4, 0);
      expect([paid, paidFailed, user, userFailed].map((message) => count(message.id))).toEqual([1, 3, 2, 4]);

      expect(await finished((await h.svix.endpoint.bulkReplay(app.id, endpoint.id, { since, tag: 'vip' })).id)).toBe(1);
      await settled(4, 0);
      expect(await finished((await h.svix.endpoint.bulkReplay(app.id, endpoint.id, { since, status: MessageStatus.Success, statusCodeClass: StatusCodeClass.Code4xx })).id)).toBe(0);
      expect(await finished((await h.svix.endpoint.bulkReplay(app.id, endpoint.id, { since, status: MessageStatus.Pending })).id)).toBe(0);
      expect(await finished((await h.svix.endpoint.bulkReplay(app.id, endpoint.id, { since: new Date(Date.now() + 60_000) })).id)).toBe(0);
      await settled(4, 0);
      expect([paid, paidFailed, user, userFailed].map((message) => count(message.id))).toEqual([2, 3, 2, 4]);
    });

    it("refuses a window wider than Svix's 14 days, a reversed one and bad filters (422 naming the field), 404 for what is not there", async () => {
      const app = await h.svix.application.create({ name: 'Bulk limits' });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/limits') });
      const day = 24 * 3600_000;
      const since = new Date(Date.now() - 3600_000);
      const bad = async (body: Record<string, unknown>) => (await validationErrors(h.svix.endpoint.bulkReplay(app.id, endpoint.id, { since, ...body }))).map((error) => error.loc);
      expect(await bad({ since: new Date(Date.now() - 15 * day) })).toEqual([['body', 'since']]);
      expect(await bad({ since: new Date(Date.now() - 30 * day), until: new Date(Date.now() - 15 * day) })).toEqual([['body', 'since']]);
      expect(await bad({ until: new Date(since.getTime() - 1) })).toEqual([['body', 'until']]);
      expect(await bad({ status: 7 })).toEqual([['body', 'status']]);
      expect(await bad({ statusCodeClass: 42 })).toEqual([['body', 'statusCodeClass']]);
      expect(await bad({ eventTypes: ['not a type!'] })).toEqual([['body', 'eventTypes']]);
      expect(await bad({ channel: '' })).toEqual([['body', 'channel']]);
      expect(await bad({ tag: 'x'.repeat(129) })).toEqual([['body', 'tag']]);
      // 14 days back from now is within the limit.
      expect(await finished((await h.svix.endpoint.bulkReplay(app.id, endpoint.id, { since: new Date(Date.now() - 14 * day) })).id)).toBe(0);
      expect((await validationErrors(h.svix.endpoint.replayMissing(app.id, endpoint.id, { since: new Date(Date.now() - 15 * day) }))).map((error) => error.loc)).toEqual([
        ['body', 'since'],
      ]);

      expect((await apiError(h.svix.endpoint.bulkReplay(app.id, 'ep_missing', { since }))).code).toBe(404);
      expect((await apiError(h.svix.endpoint.replayMissing('app_missing', endpoint.id, { since }))).code).toBe(404);
      expect((await raw('POST', `app/${app.id}/endpoint/ep_missing/cancel-msgs`, { createdBefore: new Date() })).status).toBe(404);
      expect((await raw('GET', `app/app_missing/endpoint/${endpoint.id}/rate-limit-status`)).status).toBe(404);
      const refused = await raw('POST', `app/${app.id}/endpoint/${endpoint.id}/cancel-msgs`, { createdBefore: 'yesterday' });
      expect(refused).toMatchObject({ status: 422, body: { detail: [expect.objectContaining({ loc: ['body', 'createdBefore'] })] } });
      expect((await raw('POST', `app/${app.id}/endpoint/${endpoint.id}/cancel-msgs`, {})).status).toBe(422);
    });
  });

  describe('cancel-msgs', () => {
    it('cancels deliveries waiting for a retry before the cutoff: never sent, even when their job runs, and listed as cancelled', async () => {
      // Each message's first attempt is told to come back in an hour: its retry waits in its row.
      h.receiver.answer((request, response) => {
        if (request.path !== '/cancel') return void response.writeHead(200).end();
        const first = received('/cancel', request.headers['webhook-id'] as string).length === 1;
        void (first ? response.writeHead(503, { 'retry-after': '3600' }) : response.writeHead(200)).end();
      });
      const app = await h.svix.application.create({ name: 'Cancel' });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/cancel') });
      const cancelled = [await h.svix.message.create(app.id, { eventType: 'a.b', payload: { n: 1 } }), await h.svix.message.create(app.id, { eventType: 'a.b', payload: { n: 2 } })];
      const cutoff = new Date(Date.now() + 1);
      await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(cutoff.getTime()), WAIT);
      const kept = await h.svix.message.create(app.id, { eventType: 'a.b', payload: { n: 3 } });
      await vi.waitFor(async () => expect(await h.svix.endpoint.getStats(app.id, endpoint.id)).toMatchObject({ pending: 3, sending: 0 }), WAIT);
      await vi.waitFor(async () => expect((await h.svix.messageAttempt.listByEndpoint(app.id, endpoint.id)).data).toHaveLength(3), WAIT);

      expect(await raw('POST', `app/${app.id}/endpoint/${endpoint.id}/cancel-msgs`, { createdBefore: cutoff })).toEqual({ status: 204, body: null });
      expect(await h.svix.endpoint.getStats(app.id, endpoint.id)).toEqual({ success: 0, pending: 1, sending: 0, fail: 0, canceled: 2 });

      for (const message of cancelled) await runRetryNow(message.id, endpoint.id, 1);
      await runRetryNow(kept.id, endpoint.id, 1);
      await vi.waitFor(() => expect(received('/cancel', kept.id)).toHaveLength(2), WAIT);
      for (const message of cancelled) expect(received('/cancel', message.id)).toHaveLength(1);

      await vi.waitFor(async () => {
        const statuses = await h.svix.messageAttempt.listAttemptedMessages(app.id, endpoint.id, { expandedStatuses: true });
        expect(Object.fromEntries(statuses.data.map((message) => [message.id, [message.status, message.statusText, message.nextAttempt ?? null]]))).toEqual({
          [cancelled[0].id]: [MessageStatus.Canceled, 'canceled', null],
          [cancelled[1].id]: [MessageStatus.Canceled, 'canceled', null],
          [kept.id]: [MessageStatus.Success, 'success', null],
        });
      }, WAIT);
      const attempts = (await h.svix.messageAttempt.listByMsg(app.id, cancelled[0].id, { expandedStatuses: true })).data;
      expect(attempts.map((attempt) => [attempt.status, attempt.statusText, attempt.responseStatusCode])).toEqual([
        [MessageStatus.Canceled, 'canceled', 0],
        [MessageStatus.Fail, 'fail', 503],
      ]);
      // Svix's older clients, without expanded statuses, read a cancelled attempt and message as a success.
      expect((await h.svix.messageAttempt.listByMsg(app.id, cancelled[0].id, { expandedStatuses: false })).data[0]).toMatchObject({ status: MessageStatus.Success, statusText: 'success' });
      const unexpanded = await h.svix.messageAttempt.listAttemptedMessages(app.id, endpoint.id, { expandedStatuses: false });
      expect(unexpanded.data.find((message) => message.id === cancelled[0].id)).toMatchObject({ status: MessageStatus.Success, statusText: 'success' });
      expect((await h.svix.messageAttempt.listByEndpoint(app.id, endpoint.id, { status: MessageStatus.Canceled, expandedStatuses: true })).data).toHaveLength(2);

      // A replay sends a cancelled delivery after all, at once.
      expect(await finished((await h.svix.endpoint.bulkReplay(app.id, endpoint.id, { since: new Date(Date.now() - 60_000), status: MessageStatus.Canceled })).id)).toBe(2);
      for (const message of cancelled) await vi.waitFor(() => expect(received('/cancel', message.id)).toHaveLength(2), WAIT);
    });

    it('lets an attempt already under way finish but gives it no retry', async () => {
      let hold: ServerResponse | undefined;
      h.receiver.answer((request, response) => {
        if (request.path === '/held') hold = response;
        else void response.writeHead(200).end();
      });
      const app = await h.svix.application.create({ name: 'Cancel in flight' });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/held') });
      const message = await h.svix.message.create(app.id, { eventType: 'a.b', payload: {} });
      await vi.waitFor(() => expect(hold).toBeDefined(), WAIT);
      expect(await h.svix.endpoint.getStats(app.id, endpoint.id)).toMatchObject({ sending: 1 });

      expect((await raw('POST', `app/${app.id}/endpoint/${endpoint.id}/cancel-msgs`, { createdBefore: new Date(Date.now() + 1000) })).status).toBe(204);
      hold!.writeHead(503, { 'retry-after': '3600' }).end();
      await vi.waitFor(async () => expect((await h.svix.messageAttempt.listByMsg(app.id, message.id, { expandedStatuses: true })).data.map((attempt) => attempt.responseStatusCode)).toEqual([503]), WAIT);
      await runRetryNow(message.id, endpoint.id, 1);
      expect(received('/held', message.id)).toHaveLength(1);
      expect(await h.svix.endpoint.getStats(app.id, endpoint.id)).toMatchObject({ canceled: 1, pending: 0, sending: 0 });
    });
  });

  describe('rate-limit-status', () => {
    it("says RateLimited, since when, while the endpoint's rate holds deliveries back, and Ok otherwise", async () => {
      h.receiver.status(200);
      const app = await h.svix.application.create({ name: 'Throttled', throttleRate: 7 });
      const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/throttled'), throttleRate: 1 });
      const open = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/open'), eventTypes: ['other.type'] });
      const status = async (endpointId: string) => raw('GET', `app/${app.id}/endpoint/${endpointId}/rate-limit-status`);
      expect(await status(endpoint.id)).toEqual({ status: 200, body: { status: 'Ok', throttledSince: null, throttleRate: 1 } });
      expect(await status(open.id)).toEqual({ status: 200, body: { status: 'Ok', throttledSince: null, throttleRate: 7 } });

      const before = Date.now();
      for (let i = 0; i < 5; i++) await h.svix.message.create(app.id, { eventType: 'a.b', payload: { i } });
      let throttled: { status: string; throttledSince: string | null } | undefined;
      await vi.waitFor(async () => expect((throttled = (await status(endpoint.id)).body).status).toBe('RateLimited'), WAIT);
      expect(new Date(throttled!.throttledSince!).getTime()).toBeGreaterThanOrEqual(before - 1000);
      await vi.waitFor(() => expect(h.receiver.on('/throttled')).toHaveLength(5), WAIT);
      await vi.waitFor(async () => expect((await status(endpoint.id)).body).toEqual({ status: 'Ok', throttledSince: null, throttleRate: 1 }), WAIT);
      expect((await status(open.id)).body.status).toBe('Ok');
    });

    it("keeps portal tokens to their own application's endpoints", async () => {
      const mine = await h.svix.application.create({ name: 'Mine' });
      const theirs = await h.svix.application.create({ name: 'Theirs' });
      const endpoint = await h.svix.endpoint.create(theirs.id, { url: h.receiver.url('/theirs') });
      const own = await h.svix.endpoint.create(mine.id, { url: h.receiver.url('/mine') });
      const { token } = await h.svix.authentication.appPortalAccess(mine.id);
      const portal = h.dispatcher.as(token);
      const since = new Date(Date.now() - 1000);
      expect((await apiError(portal.endpoint.replayMissing(theirs.id, endpoint.id, { since }))).code).toBe(403);
      expect((await apiError(portal.endpoint.bulkReplay(theirs.id, endpoint.id, { since }))).code).toBe(403);
      expect((await raw('POST', `app/${theirs.id}/endpoint/${endpoint.id}/cancel-msgs`, { createdBefore: new Date() }, token)).status).toBe(403);
      expect((await raw('GET', `app/${theirs.id}/endpoint/${endpoint.id}/rate-limit-status`, undefined, token)).status).toBe(403);
      // Their endpoint under my application is not found.
      expect((await apiError(portal.endpoint.replayMissing(mine.id, endpoint.id, { since }))).code).toBe(404);

      expect(await finished((await portal.endpoint.replayMissing(mine.id, own.id, { since })).id, portal)).toBe(0);
      expect((await raw('POST', `app/${mine.id}/endpoint/${own.id}/cancel-msgs`, { createdBefore: new Date() }, token)).status).toBe(204);
      expect((await raw('GET', `app/${mine.id}/endpoint/${own.id}/rate-limit-status`, undefined, token)).body).toMatchObject({ status: 'Ok' });
    });
  });
});
