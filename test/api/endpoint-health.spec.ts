import type { ApplicationOut, EndpointOut } from 'svix';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { OPERATOR_TOKEN, useDispatcher } from '../support/dispatcher-app.js';

const HOUR = 3_600_000;

/** Homing's extensions for an endpoint's health: `endpoint_id` on the attempt statistics, and the endpoint stats' extra fields. */
describe("an endpoint's health", () => {
  // A failing delivery is tried twice, then waits an hour for its next retry.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '50ms,1h' });
  let app: ApplicationOut;
  let other: ApplicationOut;
  let ok: EndpointOut;
  let failing: EndpointOut;
  let foreign: EndpointOut;
  let firstFailure: number;

  const get = async (path: string, token = OPERATOR_TOKEN) => {
    const response = await fetch(`${h.dispatcher.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as any };
  };
  const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);
  const series = async (query: string, token?: string) => {
    const { status, body } = await get(`/stats/app/${app.id}/attempt?period=OneHour&${query}`, token);
    expect(status).toBe(200);
    return [sum(body.data.successCount), sum(body.data.failureCount)];
  };

  beforeAll(async () => {
    h.receiver.answer((request, response) => void response.writeHead(request.path === '/fail' ? 500 : 200).end());
    app = await h.svix.application.create({ name: 'Health' });
    other = await h.svix.application.create({ name: 'Someone else' });
    ok = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/ok') });
    failing = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/fail'), uid: 'failing' });
    foreign = await h.svix.endpoint.create(other.id, { url: h.receiver.url('/ok') });
    firstFailure = Date.now();
    for (let n = 0; n < 3; n++) await h.svix.message.create(app.id, { eventType: 'order.completed', payload: { n } });
    await h.svix.message.create(other.id, { eventType: 'order.completed', payload: {} });
    // Three successes to /ok; two failed attempts per message to /fail, whose deliveries then wait an hour.
    await vi.waitFor(async () => expect(await series('')).toEqual([3, 6]), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect((await get(`/stats/app/${other.id}/attempt`)).body.data.successCount.at(-1)).toBe(1), { timeout: 20_000, interval: 100 });
  });

  it("counts one endpoint's attempts per period with endpoint_id (its id or uid)", async () => {
    expect(await series(`endpoint_id=${ok.id}`)).toEqual([3, 0]);
    expect(await series(`endpoint_id=${failing.id}`)).toEqual([0, 6]);
    expect(await series('endpoint_id=failing')).toEqual([0, 6]);
    const { body } = await get(`/stats/app/${app.id}/attempt?period=FiveMinutes&startDate=${new Date(Date.now() - HOUR).toISOString()}&endpoint_id=${failing.id}`);
    expect(body.period).toBe('FiveMinutes');
    expect(sum(body.data.failureCount)).toBe(6);
    const portal = (await h.svix.authentication.appPortalAccess(app.id, {})).token;
    expect(await series(`endpoint_id=${ok.id}`, portal)).toEqual([3, 0]);
  });

  it("answers 404 for an endpoint that is not the application's, and 422 for a malformed one", async () => {
    for (const name of [foreign.id, 'ep_missing']) {
      const { status, body } = await get(`/stats/app/${app.id}/attempt?endpoint_id=${name}`);
      expect(status).toBe(404);
      expect(body.code).toBe('not_found');
    }
    const portal = (await h.svix.authentication.appPortalAccess(app.id, {})).token;
    expect((await get(`/stats/app/${app.id}/attempt?endpoint_id=${foreign.id}`, portal)).status).toBe(404);
    for (const query of ['endpoint_id=not%20an%20id', 'endpoint_id=', `endpoint_id=${ok.id}&endpoint_id=${failing.id}`]) {
      const { status, body } = await get(`/stats/app/${app.id}/attempt?${query}`);
      expect(status).toBe(422);
      expect(body.detail.map((detail: { loc: string[] }) => detail.loc)).toEqual([['query', 'endpoint_id']]);
    }
  });

  it('says since when an endpoint has been failing and when its next attempt is due', async () => {
    const { status, body } = await get(`/app/${app.id}/endpoint/${failing.id}/stats`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: 0, pending: 3, sending: 0, fail: 0, canceled: 0 });
    expect(Date.parse(body.failingSince)).toBeGreaterThanOrEqual(firstFailure - 1000);
    expect(Date.parse(body.failingSince)).toBeLessThanOrEqual(Date.now());
    // The earliest of the three retries due an hour (± the schedule's 10 % jitter) after each second failure.
    expect(Date.parse(body.nextAttemptAt)).toBeGreaterThanOrEqual(firstFailure + 0.9 * HOUR);
    expect(Date.parse(body.nextAttemptAt)).toBeLessThanOrEqual(Date.now() + 1.1 * HOUR);

    expect((await get(`/app/${app.id}/endpoint/${ok.id}/stats`)).body).toMatchObject({ success: 3, pending: 0, sending: 0, fail: 0, canceled: 0, failingSince: null, nextAttemptAt: null });
    // The health is now's, whatever the window counted.
    const later = (await get(`/app/${app.id}/endpoint/${failing.id}/stats?since=${new Date(Date.now() + 60_000).toISOString()}`)).body;
    expect(later).toMatchObject({ pending: 0, failingSince: body.failingSince, nextAttemptAt: body.nextAttemptAt });
  });
});
