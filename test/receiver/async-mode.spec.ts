import { Module } from '@nestjs/common';
import { WebhookController, WebhookHandler, WebhooksModule, type WebhookContext } from '@homing/webhooks';
import { generateSecret } from '@homing/webhooks/internal';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nextId, post, type ReceiverTestApp, startReceiverApp, svixHeaders } from '../support/receiver-app.js';
import { createTestServices, REDIS_URL, type TestServices } from '../support/services.js';

const runs: { handler: string; id: string; attempt: number; payload: unknown }[] = [];
/** Resolved by the test to let the slow handler finish. */
let releaseSlow: () => void = () => {};
let slowStarted = false;
let flakyFailures = 0;

@WebhookController('queued')
class QueuedWebhooks {
  @WebhookHandler('report.generated')
  async slow(payload: unknown, ctx: WebhookContext) {
    slowStarted = true;
    await new Promise<void>((resolve) => (releaseSlow = resolve));
    runs.push({ handler: 'slow', id: ctx.id, attempt: ctx.attempt, payload });
  }

  @WebhookHandler('order.flaky')
  flaky(payload: unknown, ctx: WebhookContext) {
    runs.push({ handler: 'flaky', id: ctx.id, attempt: ctx.attempt, payload });
    if (flakyFailures > 0) {
      flakyFailures -= 1;
      throw new Error('downstream timeout');
    }
  }
}

describe('async mode (queue: true)', () => {
  const secret = generateSecret();
  let services: TestServices;
  let receiver: ReceiverTestApp;

  beforeAll(async () => {
    services = await createTestServices();
    receiver = await startReceiverApp({
      imports: [
        WebhooksModule.forReceiver({ secret, redis: REDIS_URL, queuePrefix: services.queuePrefix, queue: { attempts: 3, backoff: '50ms', concurrency: 2 } }),
      ],
      controllers: [QueuedWebhooks],
    });
  });

  afterAll(async () => {
    releaseSlow();
    await receiver?.close();
    await services?.drop();
  });

  it('answers 202 before a slow handler finishes, then runs it in the worker with the same payload and context', async () => {
    const raw = JSON.stringify({ type: 'report.generated', data: { reportId: 'r_1', title: 'Zoë' } });
    const id = nextId();

    const result = await post(receiver.url('queued'), raw, svixHeaders(secret, raw, { id }));

    expect(result).toMatchObject({ status: 202, json: { id, type: 'report.generated', queued: true } });
    expect(runs).toHaveLength(0);
    // The handler has started in the worker and waits on us; the sender already has its answer.
    await vi.waitFor(() => expect(slowStarted).toBe(true), { timeout: 10_000 });
    expect(runs).toHaveLength(0);
    releaseSlow();
    await vi.waitFor(() => expect(runs).toEqual([{ handler: 'slow', id, attempt: 1, payload: JSON.parse(raw) }]), { timeout: 10_000 });
  });

  it('retries a throwing handler in the worker until it succeeds', async () => {
    flakyFailures = 2;
    const raw = JSON.stringify({ type: 'order.flaky', data: { id: 9 } });
    const id = nextId();

    expect((await post(receiver.url('queued'), raw, svixHeaders(secret, raw, { id }))).status).toBe(202);

    await vi.waitFor(() => expect(runs.filter((run) => run.id === id).map((run) => run.attempt)).toEqual([1, 2, 3]), { timeout: 10_000 });
  });

  it('acknowledges a duplicate without queueing it again, and queues nothing it could not verify', async () => {
    const raw = JSON.stringify({ type: 'order.flaky', data: { id: 10 } });
    const id = nextId();
    expect((await post(receiver.url('queued'), raw, svixHeaders(secret, raw, { id }))).status).toBe(202);
    expect(await post(receiver.url('queued'), raw, svixHeaders(secret, raw, { id }))).toMatchObject({ status: 200, json: { duplicate: true } });
    expect((await post(receiver.url('queued'), raw, svixHeaders(generateSecret(), raw))).status).toBe(401);

    await vi.waitFor(() => expect(runs.filter((run) => run.id === id)).toHaveLength(1), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(runs.filter((run) => run.payload && (run.payload as { data: { id: number } }).data.id === 10)).toHaveLength(1);
  });
});

describe('forReceiverAsync', () => {
  const secret = generateSecret();
  let services: TestServices;
  let receiver: ReceiverTestApp;

  /** Stands in for a host's configuration module. */
  @Module({ providers: [{ provide: 'WEBHOOK_CONFIG', useFactory: () => ({ secret, prefix: services.queuePrefix }) }], exports: ['WEBHOOK_CONFIG'] })
  class ConfigModule {}

  beforeAll(async () => {
    services = await createTestServices();
    receiver = await startReceiverApp({
      imports: [
        WebhooksModule.forReceiverAsync({
          imports: [ConfigModule],
          inject: ['WEBHOOK_CONFIG'],
          useFactory: (config: { secret: string; prefix: string }) => ({ secret: config.secret, redis: REDIS_URL, queuePrefix: config.prefix }),
          queue: { attempts: 1 },
        }),
      ],
      controllers: [QueuedWebhooks],
    });
  });

  afterAll(async () => {
    await receiver?.close();
    await services?.drop();
  });

  it('takes its options from a factory, with the queue declared beside it', async () => {
    const raw = JSON.stringify({ type: 'order.flaky', data: { id: 11 } });
    const id = nextId();
    expect(await post(receiver.url('queued'), raw, svixHeaders(secret, raw, { id }))).toMatchObject({ status: 202, json: { queued: true } });
    expect((await post(receiver.url('queued'), raw, svixHeaders(generateSecret(), raw))).status).toBe(401);
    await vi.waitFor(() => expect(runs.filter((run) => run.id === id)).toHaveLength(1), { timeout: 10_000 });
    expect(await services.redis.exists(`${services.queuePrefix}:webhook-seen:queued:${id}`)).toBe(1);
  });
});
