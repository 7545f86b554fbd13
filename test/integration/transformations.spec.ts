import { MessageStatus, type MessageAttemptOut } from 'svix';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { TRANSFORMATION_LIMITS } from '../../libs/webhooks/src/webhooks.constants.js';
import { apiError, deliveriesOf, OPERATOR_TOKEN, useDispatcher, validationErrors } from '../support/dispatcher-app.js';

const WAIT = { timeout: 20_000, interval: 50 };
const LOOPING = 'function handler(webhook) { while (true) {} }';

/**
 * Svix's endpoint transformations against the dispatcher, through the official `svix` SDK (and plain HTTP for
 * `simulate`, which the SDK has no method for), with deliveries to a loopback receiver verified by the
 * `standardwebhooks` package.
 */
describe('transformations', () => {
  // One quick retry, so a failing delivery ends `failed` within the test.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '200ms' });

  async function simulate(appId: string, endpointId: string, body: unknown, token = OPERATOR_TOKEN) {
    const response = await fetch(`${h.dispatcher.url}/api/v1/app/${appId}/endpoint/${endpointId}/transformation/simulate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** The message's attempts to the endpoint once `done` says there are enough, oldest first, with their response bodies. */
  async function attemptsOf(appId: string, msgId: string, endpointId: string, done: (attempts: MessageAttemptOut[]) => boolean): Promise<MessageAttemptOut[]> {
    let attempts: MessageAttemptOut[] = [];
    await vi.waitFor(async () => {
      attempts = (await h.svix.messageAttempt.listByMsg(appId, msgId, { endpointId, withContent: true })).data.reverse();
      expect(done(attempts)).toBe(true);
    }, WAIT);
    return attempts;
  }

  it('is set and read through the SDK, and simulated, with nothing sent', async () => {
    const app = await h.svix.application.create({ name: 'Transform settings' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/settings') });
    expect(await h.svix.endpoint.transformation.get(app.id, endpoint.id)).toEqual({ code: null, enabled: false, variables: null, updatedAt: null });

    const code = "function handler(webhook, variables) { webhook.payload.region = variables.region; webhook.method = 'PUT'; return webhook; }";
    const before = Date.now();
    await h.svix.endpoint.transformation.patch(app.id, endpoint.id, { code, enabled: true, variables: { region: 'eu' } });
    const stored = await h.svix.endpoint.transformation.get(app.id, endpoint.id);
    expect(stored).toMatchObject({ code, enabled: true, variables: { region: 'eu' } });
    expect(stored.updatedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    // Only the fields given change; null clears.
    await h.svix.endpoint.transformation.patch(app.id, endpoint.id, { enabled: false });
    expect(await h.svix.endpoint.transformation.get(app.id, endpoint.id)).toMatchObject({ code, enabled: false, variables: { region: 'eu' } });
    await h.svix.endpoint.transformation.patch(app.id, endpoint.id, { variables: null });
    expect(await h.svix.endpoint.transformation.get(app.id, endpoint.id)).toMatchObject({ code, enabled: false, variables: null });

    const simulated = await simulate(app.id, endpoint.id, { code, eventType: 'order.paid', payload: { id: 'ord_1' }, variables: { region: 'us' } });
    expect(simulated).toEqual({
      status: 200,
      body: { url: endpoint.url, payload: '{"id":"ord_1","region":"us"}', method: 'PUT', cancel: false, headers: {} },
    });
    const cancelled = await simulate(app.id, endpoint.id, { code: 'function handler(webhook) { webhook.cancel = true; return webhook; }', eventType: 'a.b', payload: { n: 1 } });
    expect(cancelled.body).toMatchObject({ cancel: true, url: endpoint.url, payload: '{"n":1}' });
    expect(h.receiver.on('/settings')).toEqual([]);
  });

  it('delivers the transformed body, URL, method and headers, signed over the bytes sent', async () => {
    const app = await h.svix.application.create({ name: 'Transform delivery' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/orders'), headers: { 'x-team': 'billing', 'x-source': 'endpoint' } });
    const code = `function handler(webhook) {
      webhook.method = 'PUT';
      webhook.url = webhook.url + '/' + webhook.payload.id + '?event=' + webhook.eventType;
      webhook.headers['x-source'] = 'transformation';
      webhook.headers['x-order'] = webhook.payload.id;
      webhook.payload = { order: webhook.payload.id, euros: webhook.payload.cents / 100, note: 'Zoë 🚀' };
      return webhook;
    }`;
    await h.svix.endpoint.transformation.patch(app.id, endpoint.id, { code, enabled: true });
    const message = await h.svix.message.create(app.id, { eventType: 'order.paid', payload: { id: 'ord_7', cents: 1250 } });

    await vi.waitFor(() => expect(deliveriesOf(h.receiver, message.id)).toHaveLength(1), WAIT);
    const [request] = deliveriesOf(h.receiver, message.id);
    expect(request.method).toBe('PUT');
    expect(request.path).toBe('/orders/ord_7?event=order.paid');
    expect(request.body).toBe('{"order":"ord_7","euros":12.5,"note":"Zoë 🚀"}');
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', 'x-team': 'billing', 'x-source': 'transformation', 'x-order': 'ord_7' });
    // Verified by the standardwebhooks package over the bytes received, and not over the payload as it was sent to Homing.
    const receiver = new Webhook((await h.svix.endpoint.getSecret(app.id, endpoint.id)).key);
    const headers = request.headers as Record<string, string>;
    expect(() => receiver.verify(request.body, headers)).not.toThrow();
    expect(() => receiver.verify(JSON.stringify({ id: 'ord_7', cents: 1250 }), headers)).toThrow();

    const [attempt] = await attemptsOf(app.id, message.id, endpoint.id, (attempts) => attempts.length === 1);
    expect(attempt).toMatchObject({ status: MessageStatus.Success, url: h.receiver.url('/orders/ord_7?event=order.paid'), responseStatusCode: 200 });
    const recorded = await fetch(`${h.dispatcher.url}/api/v1/app/${app.id}/msg/${message.id}/attempt/${attempt.id}/headers`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    expect(((await recorded.json()) as { sentHeaders: Record<string, string> }).sentHeaders).toMatchObject({ 'x-order': 'ord_7', 'x-source': 'transformation', 'webhook-signature': '********' });
  });

  it('sends the payload byte for byte while the transformation is disabled', async () => {
    const app = await h.svix.application.create({ name: 'Transform disabled' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/disabled') });
    await h.svix.endpoint.transformation.patch(app.id, endpoint.id, { code: "function handler(webhook) { webhook.method = 'PUT'; return webhook; }", enabled: false });
    const raw = '{ "id": 7,\n  "total": 1.50 }';
    const response = await fetch(`${h.dispatcher.url}/api/v1/app/${app.id}/msg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: `{"eventType":"order.paid","payload":${raw}}`,
    });
    const message = (await response.json()) as { id: string };
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, message.id)).toHaveLength(1), WAIT);
    expect(deliveriesOf(h.receiver, message.id)[0]).toMatchObject({ method: 'POST', path: '/disabled', body: raw });
  });

  it('makes no request for a cancelled webhook, and lists the attempt as cancelled', async () => {
    const app = await h.svix.application.create({ name: 'Transform cancel' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/cancel') });
    await h.svix.endpoint.transformation.patch(app.id, endpoint.id, {
      code: 'function handler(webhook) { webhook.cancel = webhook.payload.skip === true; return webhook; }',
      enabled: true,
    });
    const skipped = await h.svix.message.create(app.id, { eventType: 'order.paid', payload: { skip: true } });
    const sent = await h.svix.message.create(app.id, { eventType: 'order.paid', payload: { skip: false } });

    const [attempt] = await attemptsOf(app.id, skipped.id, endpoint.id, (attempts) => attempts.length > 0);
    expect(attempt).toMatchObject({ status: MessageStatus.Canceled, statusText: 'canceled', responseStatusCode: 0 });
    expect(attempt.response).toBe("canceled by the endpoint's transformation; no request was made");
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, sent.id)).toHaveLength(1), WAIT);
    // The cancellation is recorded in place of the request: none was made before it, and none is made after.
    expect(deliveriesOf(h.receiver, skipped.id)).toEqual([]);
    await vi.waitFor(async () => expect(await h.svix.endpoint.getStats(app.id, endpoint.id)).toMatchObject({ success: 1, canceled: 1, pending: 0, sending: 0, fail: 0 }), WAIT);
    expect((await h.svix.messageAttempt.listByMsg(app.id, skipped.id, { endpointId: endpoint.id })).data).toHaveLength(1);
  });

  it('fails the attempts of a looping transformation with the reason listed, while the worker goes on delivering', async () => {
    const app = await h.svix.application.create({ name: 'Transform hostile' });
    const looping = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/looping') });
    const stuck = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/stuck') });
    const healthy = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/healthy') });
    await h.svix.endpoint.transformation.patch(app.id, looping.id, { code: LOOPING, enabled: true });
    // One call QuickJS cannot interrupt: failed for its time, its thread ended from outside if it runs that long.
    const uninterruptible = "function handler(webhook) { webhook.payload = '\\u1E9B\\u0323'.repeat(1e6).normalize('NFKC').length; return webhook; }";
    await h.svix.endpoint.transformation.patch(app.id, stuck.id, { code: uninterruptible, enabled: true });

    const messages = await Promise.all(Array.from({ length: 2 }, (_, n) => h.svix.message.create(app.id, { eventType: 'order.paid', payload: { n } })));
    for (const message of messages) {
      const attempts = await attemptsOf(app.id, message.id, looping.id, (listed) => listed.length === 2 && listed.every((attempt) => attempt.status === MessageStatus.Fail));
      for (const attempt of attempts) {
        expect(attempt).toMatchObject({ responseStatusCode: 0, response: `transformation failed: it ran longer than ${TRANSFORMATION_LIMITS.timeMs} ms` });
      }
      await attemptsOf(app.id, message.id, stuck.id, (listed) => listed.length === 2 && listed.every((attempt) => attempt.response === 'transformation failed: it ran longer than 100 ms'));
      await vi.waitFor(() => expect(deliveriesOf(h.receiver, message.id).map((request) => request.path)).toEqual(['/healthy']), WAIT);
    }
    expect(h.receiver.on('/looping')).toEqual([]);
    expect(h.receiver.on('/stuck')).toEqual([]);
    expect(await h.svix.endpoint.getStats(app.id, looping.id)).toMatchObject({ fail: 2, success: 0 });

    // The worker, and the sandbox after the thread it ended, still deliver, transformed too.
    await h.svix.endpoint.transformation.patch(app.id, healthy.id, { code: "function handler(webhook) { webhook.headers['x-after'] = 'yes'; return webhook; }", enabled: true });
    const after = await h.svix.message.create(app.id, { eventType: 'order.paid', payload: { n: 9 } });
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, after.id)).toHaveLength(1), WAIT);
    expect(deliveriesOf(h.receiver, after.id)[0].headers['x-after']).toBe('yes');
  });

  it("holds a transformed URL to the destination policy: no request is made to a refused address", async () => {
    const app = await h.svix.application.create({ name: 'Transform SSRF' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/ssrf') });
    const code = "function handler(webhook) { webhook.url = 'http://169.254.169.254/latest/meta-data'; return webhook; }";
    await h.svix.endpoint.transformation.patch(app.id, endpoint.id, { code, enabled: true });
    const message = await h.svix.message.create(app.id, { eventType: 'order.paid', payload: {} });
    const [attempt] = await attemptsOf(app.id, message.id, endpoint.id, (attempts) => attempts.length > 0);
    expect(attempt).toMatchObject({ status: MessageStatus.Fail, url: 'http://169.254.169.254/latest/meta-data', responseStatusCode: 0 });
    expect(attempt.response).toMatch(/^refused: .*no request was made$/);

    const simulated = await simulate(app.id, endpoint.id, { code, eventType: 'order.paid', payload: {} });
    expect(simulated.status).toBe(422);
    expect(simulated.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'url'], type: 'value_error.url.forbidden' })]);
  });

  it('answers bad code, fields and runs with a 422 naming the field, and keeps the transformation as it was', async () => {
    const app = await h.svix.application.create({ name: 'Transform input' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/input') });
    const patch = (body: object) => h.svix.endpoint.transformation.patch(app.id, endpoint.id, body);
    const fieldsOf = async (body: object) => (await validationErrors(patch(body))).map(({ loc, msg }) => ({ loc, msg }));

    expect(await fieldsOf({ code: 'short' })).toEqual([{ loc: ['body', 'code'], msg: 'code must be a string of 10 to 51200 characters' }]);
    expect(await fieldsOf({ code: 'function handler(webhook) { return webhook' })).toEqual([
      { loc: ['body', 'code'], msg: expect.stringMatching(/^code is refused: the code failed: SyntaxError: /) },
    ]);
    expect(await fieldsOf({ code: 'function transform(webhook) { return webhook; }' })).toEqual([
      { loc: ['body', 'code'], msg: 'code is refused: the code declares no function handler(webhook)' },
    ]);
    expect(await fieldsOf({ code: `while (true) {} ${LOOPING}` })).toEqual([{ loc: ['body', 'code'], msg: 'code is refused: it ran longer than 100 ms' }]);
    const raw = async (body: unknown) => {
      const response = await fetch(`${h.dispatcher.url}/api/v1/app/${app.id}/endpoint/${endpoint.id}/transformation`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { detail: { loc: string[]; msg: string }[] } };
    };
    expect(await raw({ enabled: 'yes' })).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'enabled'] }] } });
    expect(await raw({ enabled: null })).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'enabled'] }] } });
    expect(await raw({ variables: { 'no spaces': 'x' } })).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'variables'], msg: expect.stringContaining('not a variable name') }] } });
    expect(await raw({ variables: { key: 7 } })).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'variables'] }] } });
    expect(await h.svix.endpoint.transformation.get(app.id, endpoint.id)).toEqual({ code: null, enabled: false, variables: null, updatedAt: null });

    const failing = await simulate(app.id, endpoint.id, { code: LOOPING, eventType: 'a.b', payload: {} });
    expect(failing).toEqual({ status: 422, body: { detail: [{ loc: ['body', 'code'], msg: 'code failed: it ran longer than 100 ms', type: 'value_error.transformation' }] } });
    const wrongMethod = await simulate(app.id, endpoint.id, { code: "function handler(webhook) { webhook.method = 'DELETE'; return webhook; }", eventType: 'a.b', payload: {} });
    expect(wrongMethod.body).toEqual({ detail: [{ loc: ['body', 'code'], msg: 'code failed: method must be POST, PUT, PATCH, not "DELETE"', type: 'value_error.transformation' }] });
    expect((await simulate(app.id, endpoint.id, { code: LOOPING, eventType: 'a.b', payload: [] })).body).toMatchObject({ detail: [{ loc: ['body', 'payload'] }] });
    expect((await simulate(app.id, endpoint.id, { eventType: 'a.b', payload: {} })).body).toMatchObject({ detail: [{ loc: ['body', 'code'] }] });
    expect((await simulate(app.id, 'ep_nothing', { code: LOOPING, eventType: 'a.b', payload: {} })).status).toBe(404);
  });

  it("is for portal tokens with Svix's ManageTransformations capability", async () => {
    const app = await h.svix.application.create({ name: 'Transform portal' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/portal') });
    const token = async (capabilities: string[]) => (await h.svix.authentication.appPortalAccess(app.id, { capabilities: capabilities as never })).token;
    const viewer = h.dispatcher.as(await token(['ViewBase', 'ManageEndpoint']));
    expect((await apiError(viewer.endpoint.transformation.get(app.id, endpoint.id))).code).toBe(403);
    expect((await apiError(viewer.endpoint.transformation.patch(app.id, endpoint.id, { enabled: true }))).code).toBe(403);
    const transformer = h.dispatcher.as(await token(['ViewBase', 'ManageTransformations']));
    await transformer.endpoint.transformation.patch(app.id, endpoint.id, { code: 'function handler(webhook) { return webhook; }', enabled: true });
    expect(await transformer.endpoint.transformation.get(app.id, endpoint.id)).toMatchObject({ enabled: true });
    const other = await h.svix.application.create({ name: 'Another tenant' });
    const elsewhere = await h.svix.endpoint.create(other.id, { url: h.receiver.url('/elsewhere') });
    expect((await apiError(transformer.endpoint.transformation.get(other.id, elsewhere.id))).code).toBe(403);
  });
});
