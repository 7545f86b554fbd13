import { BackgroundTaskStatus, BackgroundTaskType, type ApplicationOut, type BackgroundTaskOut } from 'svix';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { apiError, OPERATOR_TOKEN, useDispatcher, validationErrors } from '../support/dispatcher-app.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('statistics, whoami and ping', () => {
  // A failing delivery is tried three times: the first attempt and two retries.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '50ms,50ms' });
  let appA: ApplicationOut;
  let appB: ApplicationOut;
  let appC: ApplicationOut;
  let appD: ApplicationOut;
  let portalA: string;

  /** The operations the svix SDK has no method for, as Svix documents them. */
  const get = async (path: string, token = OPERATOR_TOKEN) => {
    const response = await fetch(`${h.dispatcher.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as any };
  };
  const finished = async (task: { id: string }): Promise<BackgroundTaskOut> => {
    let done: BackgroundTaskOut | undefined;
    await vi.waitFor(
      async () => {
        done = await h.svix.backgroundTask.get(task.id);
        expect(done.status).toBe(BackgroundTaskStatus.Finished);
      },
      { timeout: 10_000, interval: 50 },
    );
    return done!;
  };
  const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);

  beforeAll(async () => {
    h.receiver.answer((request, response) => void response.writeHead(request.path === '/fail' ? 500 : 200).end());
    appA = await h.svix.application.create({ name: 'Stats A', uid: 'stats-a' });
    appB = await h.svix.application.create({ name: 'Stats B' });
    appC = await h.svix.application.create({ name: 'Only disabled' });
    appD = await h.svix.application.create({ name: 'Only Svix Play' });
    const okA = await h.svix.endpoint.create(appA.id, { url: h.receiver.url('/ok'), eventTypes: ['user.signup', 'order.completed'] });
    const failA = await h.svix.endpoint.create(appA.id, { url: h.receiver.url('/fail') });
    await h.svix.endpoint.create(appB.id, { url: h.receiver.url('/ok') });
    // Never sent anything: no message has its event type.
    await h.svix.endpoint.create(appB.id, { url: 'https://play.svix.com/in/e_b/', eventTypes: ['never.sent'] });
    await h.svix.endpoint.create(appC.id, { url: h.receiver.url('/ok'), disabled: true });
    await h.svix.endpoint.create(appD.id, { url: 'https://play.svix.com/in/e_d/', eventTypes: ['never.sent'] });

    await h.svix.message.create(appA.id, { eventType: 'order.completed', payload: { n: 1 } });
    await h.svix.message.create(appA.id, { eventType: 'order.completed', payload: { n: 2 } });
    await h.svix.message.create(appA.id, { eventType: 'user.signup', payload: { n: 3 } });
    await h.svix.message.create(appB.id, { eventType: 'order.completed', payload: { n: 4 } });
    // A: 3 successes to /ok, 3 × 3 failures to /fail; B: 1 success. Each attempt is recorded after its answer.
    await vi.waitFor(
      async () => {
        const { body } = await get(`/app/${appA.id}/stats/attempts`);
        expect([body.total_success, body.total_failure]).toEqual([3, 9]);
      },
      { timeout: 20_000, interval: 100 },
    );
    await vi.waitFor(async () => expect((await get(`/app/${appB.id}/stats/attempts`)).body.total_success).toBe(1), { timeout: 20_000, interval: 100 });
    // A message due in an hour, whose two deliveries are cancelled: one cancelled attempt each.
    await h.svix.message.create(appA.id, { eventType: 'order.completed', payload: { n: 5 }, deliverAt: new Date(Date.now() + HOUR) });
    for (const endpoint of [okA, failA]) {
      const cancelled = await fetch(`${h.dispatcher.url}/api/v1/app/${appA.id}/endpoint/${endpoint.id}/cancel-msgs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ createdBefore: new Date(Date.now() + 60_000) }),
      });
      expect(cancelled.status).toBe(204);
    }
    portalA = (await h.svix.authentication.appPortalAccess(appA.id, { sessionId: 'session-1' })).token;
  });

  describe('an application\'s attempts', () => {
    it('counts them per day over the last 28 days by default, each retry and cancellation counted', async () => {
      const { status, body } = await get(`/stats/app/stats-a/attempt`);
      expect(status).toBe(200);
      expect(body.period).toBe('OneDay');
      const start = Date.parse(body.startDate);
      const end = Date.parse(body.endDate);
      expect(start % DAY).toBe(0);
      expect(end % DAY).toBe(0);
      expect(end).toBeGreaterThanOrEqual(Date.now() - 60_000);
      expect(end - start).toBeGreaterThanOrEqual(28 * DAY);
      const periods = (end - start) / DAY;
      expect(body.data.successCount).toHaveLength(periods);
      expect(body.data.failureCount).toHaveLength(periods);
      expect(body.data.canceledCount).toHaveLength(periods);
      // Everything happened today: the last period.
      expect([body.data.successCount.at(-1), body.data.failureCount.at(-1), body.data.canceledCount.at(-1)]).toEqual([3, 9, 2]);
      expect([sum(body.data.successCount), sum(body.data.failureCount), sum(body.data.canceledCount)]).toEqual([3, 9, 2]);
    });

    it('counts them in the periods and window asked for, of the event types asked for', async () => {
      const since = new Date(Date.now() - 2 * HOUR).toISOString();
      const fiveMinutes = (await get(`/stats/app/${appA.id}/attempt?startDate=${since}&period=FiveMinutes`)).body;
      expect(fiveMinutes.period).toBe('FiveMinutes');
      expect(Date.parse(fiveMinutes.startDate)).toBe(Math.floor(Date.parse(since) / 300_000) * 300_000);
      expect(fiveMinutes.data.successCount.length).toBeGreaterThanOrEqual(24);
      expect([sum(fiveMinutes.data.successCount), sum(fiveMinutes.data.failureCount), sum(fiveMinutes.data.canceledCount)]).toEqual([3, 9, 2]);

      const signups = (await get(`/stats/app/${appA.id}/attempt?period=OneHour&event_types=user.signup`)).body;
      expect([sum(signups.data.successCount), sum(signups.data.failureCount), sum(signups.data.canceledCount)]).toEqual([1, 3, 0]);
      const both = (await get(`/stats/app/${appA.id}/attempt?event_types=user.signup&event_types=order.completed`)).body;
      expect([sum(both.data.successCount), sum(both.data.failureCount)]).toEqual([3, 9]);

      const before = (await get(`/stats/app/${appA.id}/attempt?endDate=${new Date(Date.now() - DAY).toISOString()}&period=OneHour`)).body;
      expect([sum(before.data.successCount), sum(before.data.failureCount)]).toEqual([0, 0]);
    });

    it('totals them by event type', async () => {
      const since = new Date(Date.now() - HOUR).toISOString();
      const until = new Date().toISOString();
      const { status, body } = await get(`/app/stats-a/stats/attempts?since=${since}&until=${until}`);
      expect(status).toBe(200);
      expect(body).toEqual({
        by_event_type: { 'order.completed': { success: 2, failure: 6, canceled: 2 }, 'user.signup': { success: 1, failure: 3, canceled: 0 } },
        total_success: 3,
        total_failure: 9,
        total_canceled: 2,
        since,
        until,
      });
      const orders = (await get(`/app/${appA.id}/stats/attempts?since=${since}&until=${until}&event_types=order.completed`)).body;
      expect(orders).toMatchObject({ by_event_type: { 'order.completed': { success: 2, failure: 6, canceled: 2 } }, total_success: 2, total_failure: 6, total_canceled: 2 });
      expect(Object.keys(orders.by_event_type)).toEqual(['order.completed']);
      expect((await get(`/app/${appB.id}/stats/attempts`)).body).toMatchObject({ total_success: 1, total_failure: 0 });
    });

    it('refuses a window longer than 28 days, reaching into the future or upside down, naming the field', async () => {
      const now = Date.now();
      const iso = (time: number) => new Date(time).toISOString();
      const refused = async (path: string) => {
        const { status, body } = await get(path);
        expect(status).toBe(422);
        return body.detail.map((detail: { loc: string[] }) => detail.loc);
      };
      expect(await refused(`/stats/app/${appA.id}/attempt?startDate=${iso(now - 29 * DAY)}`)).toEqual([['query', 'startDate']]);
      expect(await refused(`/stats/app/${appA.id}/attempt?startDate=${iso(now - 40 * DAY)}&endDate=${iso(now - 10 * DAY)}`)).toEqual([['query', 'startDate']]);
      expect(await refused(`/stats/app/${appA.id}/attempt?endDate=${iso(now + HOUR)}`)).toEqual([['query', 'endDate']]);
      expect(await refused(`/stats/app/${appA.id}/attempt?period=OneWeek`)).toEqual([['query', 'period']]);
      expect(await refused(`/stats/app/${appA.id}/attempt?event_types=not%20a%20type`)).toEqual([['query', 'event_types']]);
      expect(await refused(`/app/${appA.id}/stats/attempts?since=${iso(now - HOUR)}&until=${iso(now - 2 * HOUR)}`)).toEqual([['query', 'since']]);
      expect(await refused(`/app/${appA.id}/stats/attempts?since=yesterday`)).toEqual([['query', 'since']]);
      // Just 28 days back from a client whose clock is a little behind is still within the window.
      expect((await get(`/app/${appA.id}/stats/attempts?since=${iso(now - 28 * DAY - 60_000)}`)).status).toBe(200);
      expect((await get(`/stats/app/app_missing/attempt`)).status).toBe(404);
      expect((await get(`/app/missing/stats/attempts`)).status).toBe(404);
    });
  });

  describe('counts over every application', () => {
    it('counts endpoints enabled and disabled, leaving out Svix Play unless asked', async () => {
      expect(await get('/stats/endpoint/count')).toEqual({ status: 200, body: { active: 3, disabled: 1 } });
      expect((await get('/stats/endpoint/count?exclude_svix_play=false')).body).toEqual({ active: 5, disabled: 1 });
      expect((await get('/stats/endpoint/count?exclude_svix_play=maybe')).status).toBe(422);
    });

    it('counts applications with an enabled endpoint (or any endpoint), leaving out Svix Play unless asked', async () => {
      expect(await get('/app/stats/count-active')).toEqual({ status: 200, body: { count: 2 } });
      expect((await get('/app/stats/count-active?exclude_disabled=false')).body).toEqual({ count: 3 });
      expect((await get('/app/stats/count-active?exclude_svix_play=false')).body).toEqual({ count: 3 });
      expect((await get('/app/stats/count-active?exclude_svix_play=false&exclude_disabled=false')).body).toEqual({ count: 4 });
    });

    it('aggregates message destinations per application in a background task', async () => {
      const window = { since: new Date(Date.now() - HOUR), until: new Date() };
      const started = await h.svix.statistics.aggregateAppStats(window);
      expect(started).toMatchObject({ id: expect.stringMatching(/^qtask_/), task: BackgroundTaskType.ApplicationStats, unresolvedAppIds: [] });
      const all = await finished(started);
      // Four messages to A's two endpoints (one of them cancelled: still a destination), one to B's one; C and D had none.
      expect(all.data).toEqual({
        appStats: expect.arrayContaining([
          { appId: appA.id, appUid: 'stats-a', messageDestinations: 8 },
          { appId: appB.id, appUid: null, messageDestinations: 1 },
        ]),
      });
      expect((all.data.appStats as unknown[]).length).toBe(2);

      const named = await h.svix.statistics.aggregateAppStats({ ...window, appIds: ['stats-a', appC.id, 'app_missing'] });
      expect(named.unresolvedAppIds).toEqual(['app_missing']);
      expect((await finished(named)).data).toEqual({
        appStats: [
          { appId: appA.id, appUid: 'stats-a', messageDestinations: 8 },
          { appId: appC.id, appUid: null, messageDestinations: 0 },
        ],
      });
      const earlier = await h.svix.statistics.aggregateAppStats({ since: new Date(Date.now() - 3 * HOUR), until: new Date(Date.now() - 2 * HOUR), appIds: [appA.id] });
      expect((await finished(earlier)).data).toEqual({ appStats: [{ appId: appA.id, appUid: 'stats-a', messageDestinations: 0 }] });

      const listed = await h.svix.backgroundTask.list({ task: BackgroundTaskType.ApplicationStats });
      expect(listed.data.map((task) => task.id)).toEqual(expect.arrayContaining([started.id, named.id, earlier.id]));
    });

    it('refuses usage over names that all miss, or an unbounded window, naming the field', async () => {
      const window = { since: new Date(Date.now() - HOUR), until: new Date() };
      expect((await validationErrors(h.svix.statistics.aggregateAppStats({ ...window, appIds: ['app_missing', 'nobody'] }))).map((detail) => detail.loc)).toEqual([
        ['body', 'appIds'],
      ]);
      const tooLong = await validationErrors(h.svix.statistics.aggregateAppStats({ since: new Date(Date.now() - 30 * DAY), until: new Date() }));
      expect(tooLong.map((detail) => detail.loc)).toEqual([['body', 'since']]);
      const future = await validationErrors(h.svix.statistics.aggregateAppStats({ since: new Date(), until: new Date(Date.now() + DAY) }));
      expect(future.map((detail) => detail.loc)).toEqual(expect.arrayContaining([['body', 'until']]));
    });

    it("aggregates each application's subscribed event types in a background task", async () => {
      const started = await h.svix.statistics.aggregateEventTypes();
      expect(started).toMatchObject({ id: expect.stringMatching(/^qtask_/), task: BackgroundTaskType.EventTypeAggregate });
      const done = await finished(started);
      expect(done.task).toBe(BackgroundTaskType.EventTypeAggregate);
      expect(done.data).toEqual({
        event_types: expect.arrayContaining([
          { appId: appA.id, explicitlySubscribedEventTypes: ['order.completed', 'user.signup'], hasCatchAllEndpoint: true },
          { appId: appB.id, explicitlySubscribedEventTypes: ['never.sent'], hasCatchAllEndpoint: true },
          { appId: appC.id, explicitlySubscribedEventTypes: [], hasCatchAllEndpoint: true },
          { appId: appD.id, explicitlySubscribedEventTypes: ['never.sent'], hasCatchAllEndpoint: false },
        ]),
      });
      expect((done.data.event_types as unknown[]).length).toBe(4);
    });
  });

  describe('portal tokens', () => {
    it("read their own application's attempt statistics and no other's", async () => {
      expect((await get(`/stats/app/${appA.id}/attempt`, portalA)).status).toBe(200);
      expect((await get(`/app/stats-a/stats/attempts`, portalA)).body).toMatchObject({ total_success: 3, total_failure: 9 });
      expect((await get(`/stats/app/${appB.id}/attempt`, portalA)).status).toBe(403);
      expect((await get(`/app/${appB.id}/stats/attempts`, portalA)).status).toBe(403);
    });

    it('may not ask for counts or aggregations over every application, nor see them', async () => {
      const tenant = h.dispatcher.as(portalA);
      expect(await get('/stats/endpoint/count', portalA)).toEqual({ status: 403, body: { code: 'insufficient access', detail: expect.any(String) } });
      expect((await get('/app/stats/count-active', portalA)).status).toBe(403);
      expect((await apiError(tenant.statistics.aggregateAppStats({ since: new Date(Date.now() - HOUR), until: new Date() }))).code).toBe(403);
      expect((await apiError(tenant.statistics.aggregateEventTypes())).code).toBe(403);
      const task = await h.svix.statistics.aggregateEventTypes();
      expect((await apiError(tenant.backgroundTask.get(task.id))).code).toBe(404);
      await finished(task);
    });
  });

  describe('whoami', () => {
    it('says the operator token stands for the whole dispatcher', async () => {
      expect(await get('/auth/whoami')).toEqual({
        status: 200,
        body: { envId: null, appId: null, streamAppId: null, permissionSource: 'RegionalAuthToken', sessionId: null },
      });
    });

    it('says a portal token stands for its application and session', async () => {
      expect((await get('/auth/whoami', portalA)).body).toEqual({ envId: null, appId: appA.id, streamAppId: null, permissionSource: 'SvixJwt', sessionId: 'session-1' });
      const readOnly = (await h.svix.authentication.appPortalAccess(appB.id, { readOnly: true })).token;
      expect((await get('/auth/whoami', readOnly)).body).toMatchObject({ appId: appB.id, sessionId: null });
    });

    it('refuses a missing or unknown token with 401', async () => {
      expect((await get('/auth/whoami', '')).status).toBe(401);
      expect((await get('/auth/whoami', 'not-a-token')).status).toBe(401);
    });
  });

  it('answers ping with 204 and no body, to GET and HEAD, without a token', async () => {
    const ping = await fetch(`${h.dispatcher.url}/api/v1/health/ping`);
    expect(ping.status).toBe(204);
    expect(await ping.text()).toBe('');
    expect((await fetch(`${h.dispatcher.url}/api/v1/health/ping`, { method: 'HEAD' })).status).toBe(204);
  });
});
