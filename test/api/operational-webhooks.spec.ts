import { Webhook } from 'svix';
import { describe, expect, it, vi } from 'vitest';
import { OPERATIONAL_APP_ID } from '@homing/webhooks/internal';
import type { ReceivedRequest } from '../support/receiver.js';
import { apiError, useDispatcher, validationErrors } from '../support/dispatcher-app.js';

interface OperationalEvent {
  type: string;
  timestamp: string;
  data: Record<string, any>;
}

/** The operational events a path received, each verified with `secret` as a receiver would (svix throws on a bad signature). */
function eventsAt(requests: ReceivedRequest[], secret: string): OperationalEvent[] {
  return requests.map((request) => {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return JSON.parse(request.body) as OperationalEvent;
  });
}

describe('operational webhook endpoints through the svix SDK', () => {
  // Three attempts a few ms apart: a failing message is exhausted within the test.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '20ms,20ms' });

  it('lists none before the first, then creates, reads, lists, upserts, rotates, sets headers and deletes them; the application list stays clean', async () => {
    expect(await h.svix.operationalWebhook.endpoint.list()).toMatchObject({ data: [], done: true });

    const created = await h.svix.operationalWebhook.endpoint.create({
      url: h.receiver.url('/crud'),
      uid: 'ops-crud',
      description: 'Pager',
      eventTypes: ['endpoint.disabled'],
      metadata: { team: 'sre' },
      headers: { 'x-ops': '1', authorization: 'Bearer s3cret' },
      throttleRate: 10,
    });
    expect(created).toMatchObject({ uid: 'ops-crud', url: h.receiver.url('/crud'), description: 'Pager', eventTypes: ['endpoint.disabled'], metadata: { team: 'sre' }, throttleRate: 10, disabled: false });
    expect(created.id).toMatch(/^ep_/);
    expect(await h.svix.operationalWebhook.endpoint.get(created.id)).toEqual(created);
    expect(await h.svix.operationalWebhook.endpoint.get('ops-crud')).toEqual(created);
    expect((await h.svix.operationalWebhook.endpoint.list()).data.map((endpoint) => endpoint.id)).toContain(created.id);

    const replaced = await h.svix.operationalWebhook.endpoint.upsert('ops-crud', { url: h.receiver.url('/crud-2') });
    expect(replaced).toMatchObject({ id: created.id, url: h.receiver.url('/crud-2'), description: '', eventTypes: null, metadata: {}, throttleRate: null });
    const made = await h.svix.operationalWebhook.endpoint.upsert('ops-made', { url: h.receiver.url('/made'), eventTypes: ['message.attempt.failing'] });
    expect(made).toMatchObject({ uid: 'ops-made', eventTypes: ['message.attempt.failing'] });

    expect(await h.svix.operationalWebhook.endpoint.getHeaders('ops-crud')).toEqual({ headers: { 'x-ops': '1' }, sensitive: ['authorization'] });
    await h.svix.operationalWebhook.endpoint.setHeaders('ops-crud', { headers: { 'x-pager': 'on' } });
    expect(await h.svix.operationalWebhook.endpoint.getHeaders(created.id)).toEqual({ headers: { 'x-pager': 'on' }, sensitive: [] });

    const { key } = await h.svix.operationalWebhook.endpoint.getSecret('ops-crud');
    expect(key).toMatch(/^whsec_/);
    await h.svix.operationalWebhook.endpoint.rotateSecret('ops-crud', { gracePeriodSeconds: 0 });
    expect((await h.svix.operationalWebhook.endpoint.getSecret('ops-crud')).key).not.toBe(key);
    const given = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    await h.svix.operationalWebhook.endpoint.rotateSecret('ops-crud', { key: given });
    expect((await h.svix.operationalWebhook.endpoint.getSecret(created.id)).key).toBe(given);

    await h.svix.operationalWebhook.endpoint.delete('ops-crud');
    await h.svix.operationalWebhook.endpoint.delete(made.id);
    expect((await apiError(h.svix.operationalWebhook.endpoint.get(created.id))).code).toBe(404);
    expect((await h.svix.operationalWebhook.endpoint.list()).data).toEqual([]);

    // They live in a reserved application that application listings leave out.
    const applications = await h.svix.application.list({ limit: 250 });
    expect(applications.data.map((application) => application.id)).not.toContain(OPERATIONAL_APP_ID);
  });

  it('sends operational events signed with the operational endpoint secret, with its headers, as its event types filter them', async () => {
    const exhaustedAt = await h.svix.operationalWebhook.endpoint.create({
      url: h.receiver.url('/ops-exhausted'),
      eventTypes: ['message.attempt.exhausted', 'endpoint.disabled'],
      headers: { 'x-ops': 'pager' },
    });
    const createdAt = await h.svix.operationalWebhook.endpoint.create({ url: h.receiver.url('/ops-created'), eventTypes: ['endpoint.created', 'endpoint.enabled'] });
    const exhaustedSecret = (await h.svix.operationalWebhook.endpoint.getSecret(exhaustedAt.id)).key;
    const createdSecret = (await h.svix.operationalWebhook.endpoint.getSecret(createdAt.id)).key;
    h.receiver.answer((request, response) => void response.writeHead(request.path === '/failing' ? 503 : 204).end());

    const app = await h.svix.application.create({ name: 'Customer', uid: 'customer-ops' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/failing'), uid: 'primary' });
    const message = await h.svix.message.create(app.id, { eventType: 'order.completed', payload: { n: 1 }, eventId: 'order-1' });

    await vi.waitFor(() => expect(h.receiver.on('/ops-exhausted')).toHaveLength(1), { timeout: 15_000, interval: 20 });
    const [exhausted] = eventsAt(h.receiver.on('/ops-exhausted'), exhaustedSecret);
    expect(exhausted).toMatchObject({
      type: 'message.attempt.exhausted',
      data: { appId: app.id, appUid: 'customer-ops', msgId: message.id, msgEventId: 'order-1', endpointId: endpoint.id, lastAttempt: { responseStatusCode: 503 } },
    });
    expect(h.receiver.on('/ops-exhausted')[0].headers['x-ops']).toBe('pager');
    expect(h.receiver.on('/failing')).toHaveLength(3);

    // endpoint.created reached only the endpoint that asked for it, signed with that endpoint's own secret.
    await vi.waitFor(() => expect(eventsAt(h.receiver.on('/ops-created'), createdSecret).map((event) => event.data.endpointId)).toContain(endpoint.id), { timeout: 15_000, interval: 20 });
    const created = eventsAt(h.receiver.on('/ops-created'), createdSecret).find((event) => event.data.endpointId === endpoint.id);
    expect(created).toMatchObject({ type: 'endpoint.created', data: { appId: app.id, appUid: 'customer-ops', endpointId: endpoint.id, endpointUid: 'primary' } });
    expect(() => eventsAt(h.receiver.on('/ops-created'), exhaustedSecret)).toThrow();

    await h.svix.endpoint.patch(app.id, endpoint.id, { disabled: true });
    await h.svix.endpoint.patch(app.id, endpoint.id, { disabled: false });
    await vi.waitFor(() => expect(h.receiver.on('/ops-exhausted')).toHaveLength(2), { timeout: 15_000, interval: 20 });
    expect(eventsAt(h.receiver.on('/ops-exhausted'), exhaustedSecret)[1]).toMatchObject({
      type: 'endpoint.disabled',
      data: { appId: app.id, endpointId: endpoint.id, endpointUid: 'primary', trigger: 'manual' },
    });
    await vi.waitFor(() => expect(eventsAt(h.receiver.on('/ops-created'), createdSecret).map((event) => event.type)).toContain('endpoint.enabled'), { timeout: 15_000, interval: 20 });
    expect(eventsAt(h.receiver.on('/ops-created'), createdSecret).find((event) => event.type === 'endpoint.enabled')?.data).toEqual({
      appId: app.id,
      appUid: 'customer-ops',
      endpointId: endpoint.id,
      endpointUid: 'primary',
    });
    // Nothing else reached either: endpoint.updated and the like were filtered out.
    expect(eventsAt(h.receiver.on('/ops-exhausted'), exhaustedSecret).map((event) => event.type)).toEqual(['message.attempt.exhausted', 'endpoint.disabled']);
    expect(new Set(eventsAt(h.receiver.on('/ops-created'), createdSecret).map((event) => event.type))).toEqual(new Set(['endpoint.created', 'endpoint.enabled']));

    await h.svix.operationalWebhook.endpoint.delete(exhaustedAt.id);
    await h.svix.operationalWebhook.endpoint.delete(createdAt.id);
  });

  it('sends background_task.finished when a recovery ends', async () => {
    const ops = await h.svix.operationalWebhook.endpoint.create({ url: h.receiver.url('/ops-tasks'), eventTypes: ['background_task.finished'] });
    const secret = (await h.svix.operationalWebhook.endpoint.getSecret(ops.id)).key;
    const app = await h.svix.application.create({ name: 'Recovering' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/recovered') });

    const task = await h.svix.endpoint.recover(app.id, endpoint.id, { since: new Date(Date.now() - 3600_000) });
    await vi.waitFor(() => expect(h.receiver.on('/ops-tasks')).toHaveLength(1), { timeout: 15_000, interval: 20 });
    expect(eventsAt(h.receiver.on('/ops-tasks'), secret)[0]).toMatchObject({
      type: 'background_task.finished',
      data: { taskId: task.id, task: 'endpoint.recover', status: 'finished', data: { messagesSent: 0 } },
    });
    await h.svix.operationalWebhook.endpoint.delete(ops.id);
  });

  it('answers 404 for an unknown endpoint and 422 for bad input', async () => {
    const endpoints = h.svix.operationalWebhook.endpoint;
    for (const call of [
      () => endpoints.get('nope'),
      () => endpoints.delete('nope'),
      () => endpoints.getSecret('nope'),
      () => endpoints.rotateSecret('nope', {}),
      () => endpoints.getHeaders('nope'),
      () => endpoints.setHeaders('nope', { headers: {} }),
    ]) {
      const error = await apiError(call());
      expect(error.code).toBe(404);
      expect(error.body).toMatchObject({ code: 'not_found', detail: expect.any(String) });
    }

    expect((await validationErrors(h.svix.operationalWebhook.endpoint.create({ url: 'not a url' }))).map((error) => error.loc)).toContainEqual(['body', 'url']);
    expect((await validationErrors(h.svix.operationalWebhook.endpoint.create({ url: h.receiver.url('/x'), eventTypes: ['bad type!'] }))).map((error) => error.loc)).toContainEqual(['body', 'eventTypes']);
    const ops = await h.svix.operationalWebhook.endpoint.create({ url: h.receiver.url('/x'), uid: 'ops-422' });
    expect((await validationErrors(h.svix.operationalWebhook.endpoint.rotateSecret(ops.id, { gracePeriodSeconds: 604_801 }))).map((error) => error.loc)).toContainEqual(['body', 'gracePeriodSeconds']);
    expect((await validationErrors(h.svix.operationalWebhook.endpoint.upsert('ops-new', { url: h.receiver.url('/x'), uid: 'other' }))).map((error) => error.loc)).toContainEqual(['body', 'uid']);
    expect((await apiError(h.svix.operationalWebhook.endpoint.create({ url: h.receiver.url('/x'), uid: 'ops-422' }))).code).toBe(409);
    await h.svix.operationalWebhook.endpoint.delete(ops.id);
  });

  it('is for the operator only: a portal token gets 403', async () => {
    const app = await h.svix.application.create({ name: 'Portal holder' });
    const portal = h.dispatcher.as((await h.svix.authentication.appPortalAccess(app.id, {})).token);
    expect((await apiError(portal.operationalWebhook.endpoint.list())).code).toBe(403);
    expect((await apiError(portal.operationalWebhook.endpoint.create({ url: h.receiver.url('/x') }))).code).toBe(403);
    expect((await apiError(h.dispatcher.as('not-a-token').operationalWebhook.endpoint.list())).code).toBe(401);
  });
});

describe('operational webhook endpoints with HOMING_OPERATIONAL_APP', () => {
  const h = useDispatcher({ HOMING_OPERATIONAL_APP: 'ops', HOMING_WORKER: 'false' });

  it('are the endpoints of that application, which is made on first use and listed like any other', async () => {
    const created = await h.svix.operationalWebhook.endpoint.create({ url: h.receiver.url('/ops'), uid: 'pager' });
    const ops = await h.svix.application.get('ops');
    expect((await h.svix.application.list()).data.map((application) => application.id)).toContain(ops.id);
    expect((await h.svix.endpoint.get('ops', 'pager')).id).toBe(created.id);
    const direct = await h.svix.endpoint.create('ops', { url: h.receiver.url('/ops-2') });
    expect((await h.svix.operationalWebhook.endpoint.list()).data.map((endpoint) => endpoint.id).sort()).toEqual([created.id, direct.id].sort());
  });
});
