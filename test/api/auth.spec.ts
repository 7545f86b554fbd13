import { AppPortalCapability, Svix, type ApplicationOut, type EndpointOut, type MessageOut } from 'svix';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { PortalTokenEntity } from '../../apps/dispatcher/src/entities/index.js';
import { apiError, deliveriesOf, OPERATOR_TOKEN, startDispatcherApp, useDispatcher } from '../support/dispatcher-app.js';
import { createTestServices } from '../support/services.js';

describe('authentication and portal tokens through the svix SDK', () => {
  const h = useDispatcher();
  let appA: ApplicationOut;
  let appB: ApplicationOut;
  let endpointA: EndpointOut;
  let endpointB: EndpointOut;
  let msgA: MessageOut;
  let msgB: MessageOut;

  const portal = async (appId: string, options: Parameters<Svix['authentication']['appPortalAccess']>[1] = {}) =>
    h.dispatcher.as((await h.svix.authentication.appPortalAccess(appId, options)).token);
  const status = async (call: Promise<unknown>) => (await apiError(call)).code;

  beforeAll(async () => {
    appA = await h.svix.application.create({ name: 'Tenant A', uid: 'tenant-a' });
    appB = await h.svix.application.create({ name: 'Tenant B', uid: 'tenant-b' });
    endpointA = await h.svix.endpoint.create(appA.id, { url: h.receiver.url('/a') });
    endpointB = await h.svix.endpoint.create(appB.id, { url: h.receiver.url('/b') });
    msgA = await h.svix.message.create(appA.id, { eventType: 'order.completed', payload: { tenant: 'a' } });
    msgB = await h.svix.message.create(appB.id, { eventType: 'order.completed', payload: { tenant: 'b' } });
  });

  it('refuses a missing or wrong token with 401; health needs none', async () => {
    const missing = await apiError(h.dispatcher.as('').application.list());
    expect(missing.code).toBe(401);
    expect(missing.body).toEqual({ code: 'authentication_failed', detail: expect.any(String) });
    expect(await status(h.dispatcher.as('not-the-operator-token').application.list())).toBe(401);
    await expect(h.dispatcher.as('').health.get()).resolves.toBeUndefined();
  });

  it('issues a portal link and token that reach their own application only', async () => {
    const access = await h.svix.authentication.appPortalAccess(appA.id);
    expect(access.url).toBe(`${h.dispatcher.url}/portal#key=${access.token}`);
    const tenant = h.dispatcher.as(access.token);

    expect(await tenant.application.get(appA.id)).toMatchObject({ id: appA.id });
    expect(await tenant.application.get('tenant-a')).toMatchObject({ id: appA.id });
    expect((await tenant.endpoint.list('tenant-a')).data.map((endpoint) => endpoint.id)).toEqual([endpointA.id]);
    expect(await tenant.message.get(appA.id, msgA.id)).toMatchObject({ id: msgA.id });
    expect((await tenant.messageAttempt.listAttemptedDestinations(appA.id, msgA.id)).data).toHaveLength(1);
    expect((await tenant.endpoint.getSecret(appA.id, endpointA.id)).key).toMatch(/^whsec_/);
    const created = await tenant.endpoint.create(appA.id, { url: 'https://example.com/tenant-a' });
    expect(created.id).toMatch(/^ep_/);
    await expect(tenant.eventType.list()).resolves.toMatchObject({ data: expect.any(Array) });

    // Another application is a 403 whether it exists or not, so its existence does not leak.
    for (const other of [appB.id, 'tenant-b', 'app_does_not_exist']) {
      const refused = await apiError(tenant.application.get(other));
      expect(refused.code).toBe(403);
      expect(refused.body).toEqual({ code: 'insufficient access', detail: 'this token is for another application' });
    }
    expect(await status(tenant.endpoint.list(appB.id))).toBe(403);
    expect(await status(tenant.message.get(appB.id, msgB.id))).toBe(403);
    expect(await status(tenant.messageAttempt.listByEndpoint(appB.id, endpointB.id))).toBe(403);
    // Reaching another application's records through its own path finds nothing.
    expect(await status(tenant.message.get(appA.id, msgB.id))).toBe(404);
    expect(await status(tenant.endpoint.get(appA.id, endpointB.id))).toBe(404);
    expect(await status(tenant.messageAttempt.listByMsg(appA.id, msgB.id))).toBe(404);
    expect(await status(tenant.messageAttempt.resend(appA.id, msgB.id, endpointA.id))).toBe(404);
  });

  it("keeps the operator's operations from portal tokens", async () => {
    const tenant = await portal(appA.id);
    expect(await status(tenant.application.list())).toBe(403);
    expect(await status(tenant.application.create({ name: 'Sneaky' }))).toBe(403);
    expect(await status(tenant.application.delete(appA.id))).toBe(403);
    expect(await status(tenant.message.create(appA.id, { eventType: 'a.b', payload: {} }))).toBe(403);
    expect(await status(tenant.eventType.create({ name: 'sneaky.type', description: 'x' }))).toBe(403);
    expect(await status(tenant.authentication.appPortalAccess(appA.id))).toBe(403);
    expect(await status(tenant.backgroundTask.list())).toBe(403);
  });

  it('limits a token to the capabilities it was issued with', async () => {
    const viewer = await portal(appA.id, { capabilities: [AppPortalCapability.ViewBase] });
    expect((await viewer.endpoint.list(appA.id)).data.length).toBeGreaterThan(0);
    expect(await status(viewer.endpoint.create(appA.id, { url: 'https://example.com/x' }))).toBe(403);
    expect(await status(viewer.endpoint.getSecret(appA.id, endpointA.id))).toBe(403);
    expect(await status(viewer.messageAttempt.resend(appA.id, msgA.id, endpointA.id))).toBe(403);

    const readOnly = await portal(appA.id, { readOnly: true });
    expect(await status(readOnly.endpoint.delete(appA.id, endpointA.id))).toBe(403);

    const secrets = await portal(appA.id, { capabilities: [AppPortalCapability.ViewBase, AppPortalCapability.ViewEndpointSecret] });
    expect((await secrets.endpoint.getSecret(appA.id, endpointA.id)).key).toMatch(/^whsec_/);
    expect(await status(secrets.endpoint.rotateSecret(appA.id, endpointA.id))).toBe(403);
  });

  it('expires tokens after an hour by default, or after `expiry` seconds', async () => {
    const { token } = await h.svix.authentication.appPortalAccess(appA.id, { sessionId: 'default-expiry' });
    const [row] = await h.dispatcher.records.getRepository(PortalTokenEntity).findBy({ sessionId: 'default-expiry' });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(3600_000);
    expect(row.tokenHash).not.toContain(token);

    const shortLived = await portal(appA.id, { expiry: 1 });
    await expect(shortLived.application.get(appA.id)).resolves.toMatchObject({ id: appA.id });
    await vi.waitFor(async () => expect(await status(shortLived.application.get(appA.id))).toBe(401), { timeout: 5_000, interval: 200 });
    expect((await apiError(h.svix.authentication.appPortalAccess(appA.id, { expiry: 8 * 24 * 3600 }))).code).toBe(422);
  });

  it('revokes a token on logout, and all of an application\'s (or a session\'s) tokens with expire-all', async () => {
    const leaving = await portal(appA.id);
    await leaving.authentication.logout();
    expect(await status(leaving.application.get(appA.id))).toBe(401);
    expect(await status(h.svix.authentication.logout())).toBe(403);

    const first = await portal(appA.id, { sessionId: 'session-1' });
    const second = await portal(appA.id, { sessionId: 'session-2' });
    const otherApp = await portal(appB.id);
    await h.svix.authentication.expireAll(appA.id, { sessionIds: ['session-1'] });
    expect(await status(first.application.get(appA.id))).toBe(401);
    await expect(second.application.get(appA.id)).resolves.toMatchObject({ id: appA.id });
    await h.svix.authentication.expireAll(appA.id);
    expect(await status(second.application.get(appA.id))).toBe(401);
    await expect(otherApp.application.get(appB.id)).resolves.toMatchObject({ id: appB.id });
  });

  it("lets a portal token follow its own application's background tasks only", async () => {
    const tenant = await portal(appA.id);
    const own = await tenant.endpoint.recover(appA.id, endpointA.id, { since: new Date(Date.now() - 60_000) });
    await expect(tenant.backgroundTask.get(own.id)).resolves.toMatchObject({ id: own.id, task: 'endpoint.recover' });
    const others = await h.svix.endpoint.recover(appB.id, endpointB.id, { since: new Date(Date.now() - 60_000) });
    expect(await status(tenant.backgroundTask.get(others.id))).toBe(404);
    await expect(h.svix.backgroundTask.get(others.id)).resolves.toMatchObject({ id: others.id });
  });

  it('tells a portal token its application, capabilities and expiry (the portal opens with it); the operator has no session', async () => {
    const { token } = await h.svix.authentication.appPortalAccess(appA.id, { capabilities: [AppPortalCapability.ViewEndpointSecret], expiry: 600 });
    const session = async (bearer: string) => fetch(`${h.dispatcher.url}/api/v1/auth/portal-session`, { headers: { authorization: `Bearer ${bearer}` } });
    const answer = await session(token);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { app: { id: string; name: string }; capabilities: string[]; expiresAt: string };
    expect(body).toMatchObject({ app: { id: appA.id, uid: 'tenant-a', name: 'Tenant A' }, capabilities: ['ViewBase', 'ViewEndpointSecret'] });
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(590_000);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
    expect((await session(OPERATOR_TOKEN)).status).toBe(403);
    expect((await session('hpt_not-a-token')).status).toBe(401);
  });

  it('creates the application while issuing access when asked to', async () => {
    const { token } = await h.svix.authentication.appPortalAccess('tenant-new', { application: { name: 'New tenant', uid: 'tenant-new' } });
    expect(await h.dispatcher.as(token).application.get('tenant-new')).toMatchObject({ name: 'New tenant', uid: 'tenant-new' });
  });

  it('scopes idempotency keys to who sends them', async () => {
    const tenant = await portal(appA.id);
    const byTenant = await tenant.endpoint.create(appA.id, { url: 'https://example.com/same-key' }, { idempotencyKey: 'shared-key' });
    const byOperator = await h.svix.endpoint.create(appA.id, { url: 'https://example.com/same-key' }, { idempotencyKey: 'shared-key' });
    expect(byOperator.id).not.toBe(byTenant.id);
    expect((await tenant.endpoint.create(appA.id, { url: 'https://example.com/same-key' }, { idempotencyKey: 'shared-key' })).id).toBe(byTenant.id);
  });

  it('counts messages, attempts and latency in the Prometheus metrics', async () => {
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, msgA.id)).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, msgB.id)).toHaveLength(1), { timeout: 10_000 });
    // Not part of the Svix API, so read by hand.
    const response = await fetch(`${h.dispatcher.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const metrics = await response.text();
    const value = (name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('homing_messages_created_total')).toBeGreaterThanOrEqual(2);
    await vi.waitFor(async () => {
      const text = await (await fetch(`${h.dispatcher.url}/metrics`)).text();
      expect(Number(/^homing_delivery_attempts_total\{outcome="success"\} (\S+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
      expect(Number(/^homing_delivery_latency_seconds_count (\S+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
    });
    expect(metrics).toMatch(/^homing_attempt_duration_seconds_bucket\{le="[^"]+",outcome="success"\} \d+$/m);
    expect(metrics).toMatch(/^homing_queue_jobs\{state="waiting"\} \d+$/m);
    expect(metrics).toMatch(/^homing_deliveries_owed \d+$/m);
  });

  it('serves the OpenAPI document generated from the validating DTOs at /docs', async () => {
    expect((await fetch(`${h.dispatcher.url}/docs`)).headers.get('content-type')).toMatch(/text\/html/);
    const document = (await (await fetch(`${h.dispatcher.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { required?: string[]; properties: Record<string, { maxLength?: number }> }> };
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/app', '/api/v1/app/{appId}/endpoint/{endpointId}/secret/rotate', '/api/v1/app/{appId}/msg', '/api/v1/auth/app-portal-access/{appId}']),
    );
    const endpointIn = document.components.schemas.EndpointIn;
    expect(endpointIn.required).toEqual(['url']);
    expect(endpointIn.properties.url.maxLength).toBe(2048);
    expect(Object.keys(endpointIn.properties)).toEqual(expect.arrayContaining(['eventTypes', 'filterTypes', 'channels', 'secret', 'headers', 'throttleRate']));
    expect(document.components.schemas.HttpValidationError).toBeDefined();
  });
});

describe('health', () => {
  it('answers 503 naming the store it cannot reach', async () => {
    const services = await createTestServices();
    const dispatcher = await startDispatcherApp(services, { REDIS_URL: 'redis://127.0.0.1:1', HOMING_WORKER: 'false' });
    try {
      // No retries: the SDK retries a 5xx, and each check waits for the probe to time out.
      const svix = new Svix(OPERATOR_TOKEN, { serverUrl: dispatcher.url, retryScheduleInMs: [] });
      const down = await apiError<string>(svix.health.get());
      expect(down.code).toBe(503);
      // The SDK leaves a 5xx body unparsed.
      expect(JSON.parse(down.body)).toEqual({ code: 'service_unavailable', detail: 'not reachable: redis' });
    } finally {
      await dispatcher.close();
      await services.drop();
    }
  });
});
