import { MessageAttemptTriggerType, MessageStatus, Webhook } from 'svix';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { deliveriesOf, OPERATOR_TOKEN, useDispatcher } from '../support/dispatcher-app.js';

const WAIT = { timeout: 20_000, interval: 50 };

describe('retry-now (Homing extension): sends every delivery of an endpoint waiting on a retry, now', () => {
  // One retry, an hour after the first failure: without retry-now nothing would arrive within the test.
  // Sweeps a minute apart: a retry whose time has come stays unsent that long unless retry-now sends it.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '1h', HOMING_SWEEP_INTERVAL: '1m' });
  let appId: string;
  let endpointId: string;
  let secret: string;

  /** Raw HTTP, for what the SDK has no method for (retry-now) or leaves out (the stats' extension field). */
  async function call(method: 'GET' | 'POST', path: string, token = OPERATOR_TOKEN): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${h.dispatcher.url}/api/v1/${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** POST retry-now as `token`, with no body. */
  const retryNow = (app: string, endpoint: string, token = OPERATOR_TOKEN) => call('POST', `app/${app}/endpoint/${endpoint}/retry-now`, token);

  /** The delivery of `msgId` to the endpoint, as Svix lists it. */
  async function delivery(msgId: string) {
    const [destination] = (await h.svix.messageAttempt.listAttemptedDestinations(appId, msgId)).data;
    return destination;
  }

  /** Sends a message while the receiver fails, and waits until its first attempt failed and its retry waits. */
  async function failedOnce(): Promise<string> {
    const { id } = await h.svix.message.create(appId, { eventType: 'invoice.paid', payload: { total: 12 } });
    await vi.waitFor(async () => {
      const owed = await delivery(id);
      expect(owed.status).toBe(MessageStatus.Pending);
      expect(owed.nextAttempt!.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    }, WAIT);
    return id;
  }

  beforeAll(async () => {
    const app = await h.svix.application.create({ name: 'Retry now' });
    appId = app.id;
    const endpoint = await h.svix.endpoint.create(appId, { url: h.receiver.url('/billing') });
    endpointId = endpoint.id;
    secret = (await h.svix.endpoint.getSecret(appId, endpointId)).key;
  });

  it('sends the deliveries waiting on a retry at once, signed, once each, and leaves a message scheduled for later alone', async () => {
    h.receiver.status(503, 'down for maintenance');
    const waiting = [await failedOnce(), await failedOnce()];
    const later = await h.svix.message.create(appId, { eventType: 'invoice.paid', payload: { total: 1 }, deliverAt: new Date(Date.now() + 3_600_000) });
    expect((await delivery(later.id)).status).toBe(MessageStatus.Pending);

    h.receiver.status(200, 'ok');
    const { status, body } = await retryNow(appId, endpointId);
    expect(status).toBe(202);
    expect(body).toEqual({ retried: 2 });

    for (const msgId of waiting) {
      await vi.waitFor(async () => expect((await delivery(msgId)).status).toBe(MessageStatus.Success), WAIT);
      const requests = deliveriesOf(h.receiver, msgId);
      expect(requests).toHaveLength(2);
      expect(() => new Webhook(secret).verify(requests[1].body, requests[1].headers as Record<string, string>)).not.toThrow();
      // The retry the schedule owed, made early: still a scheduled attempt.
      const [latest] = (await h.svix.messageAttempt.listByMsg(appId, msgId)).data;
      expect(latest).toMatchObject({ status: MessageStatus.Success, responseStatusCode: 200, triggerType: MessageAttemptTriggerType.Scheduled });
    }
    expect(deliveriesOf(h.receiver, later.id)).toHaveLength(0);
    expect((await delivery(later.id)).status).toBe(MessageStatus.Pending);
    // Nothing waits any more.
    expect((await retryNow(appId, endpointId)).body).toEqual({ retried: 0 });
  });

  it('is a retry, not a reset: a delivery that fails it again goes on with its schedule (here: it has no retry left)', async () => {
    h.receiver.status(500, 'still broken');
    const msgId = await failedOnce();
    expect(await retryNow(appId, endpointId)).toEqual({ status: 202, body: { retried: 1 } });
    await vi.waitFor(async () => expect((await delivery(msgId)).status).toBe(MessageStatus.Fail), WAIT);
    expect(deliveriesOf(h.receiver, msgId)).toHaveLength(2);
    expect((await retryNow(appId, endpointId)).body).toEqual({ retried: 0 });
  });

  it('counts the deliveries waiting on a retry in the endpoint stats', async () => {
    h.receiver.status(500, 'broken again');
    const msgId = await failedOnce();
    // The message scheduled for later is pending too, but waits on no retry.
    expect((await call('GET', `app/${appId}/endpoint/${endpointId}/stats`)).body).toMatchObject({ pending: 2, waitingRetry: 1 });
    expect((await retryNow(appId, endpointId)).body).toEqual({ retried: 1 });
    // It fails again, with no retry left: over before the next test counts.
    await vi.waitFor(async () => expect((await delivery(msgId)).status).toBe(MessageStatus.Fail), WAIT);
  });

  it('counts a retry whose time has come but that no worker has taken yet as waiting, and sends it', async () => {
    h.receiver.status(500, 'down');
    const msgId = await failedOnce();
    // Its time came a moment ago; the sweeper has already looked past it and its delayed job is for later.
    await h.dispatcher.dataSource.query('UPDATE homing_deliveries SET nextAttemptAt = NOW(3) - INTERVAL 1 SECOND WHERE msgId = ?', [msgId]);
    expect((await call('GET', `app/${appId}/endpoint/${endpointId}/stats`)).body).toMatchObject({ waitingRetry: 1 });
    h.receiver.status(200, 'ok');
    expect((await retryNow(appId, endpointId)).body).toEqual({ retried: 1 });
    await vi.waitFor(async () => expect((await delivery(msgId)).status).toBe(MessageStatus.Success), WAIT);
    expect(deliveriesOf(h.receiver, msgId)).toHaveLength(2);
  });

  it("takes the operator or the application's portal token with the capability to send attempts; 404 for an unknown application or endpoint", async () => {
    const other = await h.svix.application.create({ name: 'Someone else' });
    const otherEndpoint = await h.svix.endpoint.create(other.id, { url: h.receiver.url('/other') });
    const own = (await h.svix.authentication.appPortalAccess(appId, {})).token;
    const readOnly = (await h.svix.authentication.appPortalAccess(appId, { readOnly: true })).token;
    const foreign = (await h.svix.authentication.appPortalAccess(other.id, {})).token;

    expect(await retryNow(appId, endpointId, own)).toEqual({ status: 202, body: { retried: 0 } });
    expect((await retryNow(appId, endpointId, readOnly)).status).toBe(403);
    expect((await retryNow(appId, endpointId, foreign)).status).toBe(403);
    expect((await retryNow(other.id, otherEndpoint.id, own)).status).toBe(403);
    expect((await retryNow(appId, endpointId, 'not-a-token')).status).toBe(401);

    const unknownEndpoint = await retryNow(appId, 'ep_2zWKiBRNs3jtbfo8XHb7Fu9h1y5');
    expect(unknownEndpoint).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect((await retryNow('app_2zWKiBRNs3jtbfo8XHb7Fu9h1y5', endpointId)).status).toBe(404);
    // An endpoint of another application is not found through this one.
    expect((await retryNow(appId, otherEndpoint.id)).status).toBe(404);
  });
});
