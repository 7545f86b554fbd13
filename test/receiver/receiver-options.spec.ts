import { Body, Controller, Module, NotFoundException, Post, UseGuards } from '@nestjs/common';
import { WebhookController, WebhookHandler, WebhooksModule, WebhookSignatureGuard, type WebhookContext } from '@homing/webhooks';
import { generateSecret } from '@homing/webhooks/internal';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextId, post, type ReceiverTestApp, startReceiverApp, svixHeaders } from '../support/receiver-app.js';
import { createTestServices, REDIS_URL, type TestServices } from '../support/services.js';

const seen: { tenant: string; type: string }[] = [];

@WebhookController('webhooks/:tenant/events')
class TenantWebhooks {
  @WebhookHandler('*')
  any(_payload: unknown, ctx: WebhookContext) {
    seen.push({ tenant: ctx.headers['x-tenant'] as string, type: ctx.type });
  }
}

@WebhookController('webhooks/:tenant/billing')
class BillingWebhooks {
  @WebhookHandler('invoice.paid')
  paid(_payload: unknown, ctx: WebhookContext) {
    seen.push({ tenant: ctx.headers['x-tenant'] as string, type: ctx.type });
  }
}

@Controller('plain')
class PlainController {
  @Post('guarded')
  @UseGuards(WebhookSignatureGuard)
  guarded(@Body() body: { type: string }) {
    return { gotType: body.type };
  }
}

/** A feature module declaring the controllers, to show the receiver reaches them without importing it here. */
@Module({ controllers: [TenantWebhooks, BillingWebhooks, PlainController] })
class FeatureModule {}

describe('receiver options', () => {
  const tenants: Record<string, string> = { acme: generateSecret(), globex: generateSecret() };
  let receiver: ReceiverTestApp;

  beforeAll(async () => {
    receiver = await startReceiverApp(
      {
        imports: [
          WebhooksModule.forReceiver({
            secret: (request) => {
              // Routes without a tenant parameter belong to acme.
              const tenant = request.params?.tenant ?? 'acme';
              if (tenant === 'unknown') throw new NotFoundException('unknown tenant');
              return tenants[tenant];
            },
            eventType: { header: 'X-Event-Type' },
            bodyLimit: '3mb',
            tolerance: '30s',
            rejectUnknownTypes: true,
          }),
          FeatureModule,
        ],
      },
      // The host's own choice of raw body does not change what is verified.
      { rawBody: true },
    );
  });

  afterAll(async () => {
    await receiver?.close();
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('picks the secret per request with a resolver, so each tenant verifies with its own', async () => {
    const raw = JSON.stringify({ data: { id: 1 } });
    const acme = await post(receiver.url('webhooks/acme/events'), raw, { ...svixHeaders(tenants.acme, raw), 'x-event-type': 'order.completed', 'x-tenant': 'acme' });
    const crossed = await post(receiver.url('webhooks/globex/events'), raw, { ...svixHeaders(tenants.acme, raw), 'x-event-type': 'order.completed' });
    const nobody = await post(receiver.url('webhooks/initech/events'), raw, { ...svixHeaders(tenants.acme, raw), 'x-event-type': 'order.completed' });
    const unknown = await post(receiver.url('webhooks/unknown/events'), raw, { ...svixHeaders(tenants.acme, raw), 'x-event-type': 'order.completed' });

    expect(acme.status).toBe(200);
    expect(crossed).toMatchObject({ status: 401, json: { message: 'no valid signature' } });
    expect(nobody).toMatchObject({ status: 401, json: { message: 'no secret for this request' } });
    expect(unknown).toMatchObject({ status: 404, json: { message: 'unknown tenant' } });
    expect(seen).toEqual([{ tenant: 'acme', type: 'order.completed' }]);
  });

  it('reads the type from a configured header, applies the configured tolerance, and raises the body limit', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(2_000_000) });
    const headers = { 'x-event-type': 'file.uploaded' };
    const accepted = await post(receiver.url('webhooks/acme/events'), big, { ...svixHeaders(tenants.acme, big), ...headers });
    const stale = await post(receiver.url('webhooks/acme/events'), big, {
      ...svixHeaders(tenants.acme, big, { at: new Date(Date.now() - 60_000) }),
      ...headers,
    });
    const tooBig = JSON.stringify({ blob: 'x'.repeat(3_200_000) });
    const refused = await post(receiver.url('webhooks/acme/events'), tooBig, { ...svixHeaders(tenants.acme, tooBig), ...headers });

    expect(accepted).toMatchObject({ status: 200, json: { type: 'file.uploaded', handled: 1 } });
    expect(stale).toMatchObject({ status: 401, json: { message: 'timestamp too old' } });
    expect(refused).toMatchObject({ status: 413, json: { statusCode: 413 } });
    expect(seen).toHaveLength(1);
  });

  it('answers 404 to a type no handler takes when told to reject unknown types', async () => {
    const raw = JSON.stringify({ data: { id: 3 } });
    const send = (type: string) => post(receiver.url('webhooks/globex/billing'), raw, { ...svixHeaders(tenants.globex, raw), 'x-event-type': type, 'x-tenant': 'globex' });
    expect(await send('refund.created')).toMatchObject({ status: 404, json: { message: 'no handler for event type "refund.created"' } });
    expect(await send('invoice.paid')).toMatchObject({ status: 200, json: { handled: 1 } });
    expect(seen).toEqual([{ tenant: 'globex', type: 'invoice.paid' }]);
  });

  it('answers 400 when the configured type header is missing', async () => {
    const raw = JSON.stringify({ type: 'in.the.body' });
    const result = await post(receiver.url('webhooks/acme/events'), raw, svixHeaders(tenants.acme, raw));
    expect(result).toMatchObject({ status: 400, json: { message: 'no event type in header x-event-type' } });
  });

  it('guards any route with WebhookSignatureGuard alone, handing it the verified JSON body', async () => {
    const raw = JSON.stringify({ type: 'order.completed' });
    const ok = await post(receiver.url('plain/guarded'), raw, svixHeaders(tenants.acme, raw));
    const tampered = await post(receiver.url('plain/guarded'), raw.replace('order', 'refund'), svixHeaders(tenants.acme, raw));
    const unsigned = await post(receiver.url('plain/guarded'), raw);

    expect(ok).toMatchObject({ status: 201, json: { gotType: 'order.completed' } });
    expect(tampered.status).toBe(401);
    expect(unsigned).toMatchObject({ status: 401, json: { message: 'missing webhook-id header' } });
  });
});

describe('duplicates remembered in Redis', () => {
  const secret = generateSecret();
  let services: TestServices;
  const runs: string[] = [];
  let first: ReceiverTestApp;
  let second: ReceiverTestApp;

  @WebhookController('hooks')
  class Hooks {
    @WebhookHandler('order.*')
    order(_payload: unknown, ctx: WebhookContext) {
      runs.push(ctx.id);
    }
  }

  const start = () =>
    startReceiverApp({
      imports: [WebhooksModule.forReceiver({ secret, redis: REDIS_URL, queuePrefix: services.queuePrefix, duplicateWindow: '1h' })],
      controllers: [Hooks],
    });

  beforeAll(async () => {
    services = await createTestServices();
    first = await start();
    second = await start();
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await services?.drop();
  });

  it('treats a message id one instance took as a duplicate on another', async () => {
    const raw = JSON.stringify({ type: 'order.completed' });
    const id = nextId();
    const a = await post(first.url('hooks'), raw, svixHeaders(secret, raw, { id }));
    const b = await post(second.url('hooks'), raw, svixHeaders(secret, raw, { id }));

    expect(a).toMatchObject({ status: 200, json: { handled: 1 } });
    expect(b).toMatchObject({ status: 200, json: { duplicate: true } });
    expect(runs).toEqual([id]);
    const ttl = await services.redis.pttl(`${services.queuePrefix}:webhook-seen:hooks:${id}`);
    expect(ttl).toBeGreaterThan(59 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000);
  });
});
