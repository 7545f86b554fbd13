import type { ServerResponse } from 'node:http';
import { ConflictError } from '@homing/webhooks';
import { describe, expect, it, vi } from 'vitest';
import { useHarness } from '../support/harness.js';

describe('messages sent at the same time', () => {
  const h = useHarness();

  it('are each stored and delivered once to every endpoint; a duplicate eventId among them alone is refused', async () => {
    const app = await h.homing.applications.create({ name: 'Burst' });
    await h.homing.endpoints.create(app.id, { url: h.receiver.url('/burst-a') });
    await h.homing.endpoints.create(app.id, { url: h.receiver.url('/burst-b') });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => h.homing.producer.send(app.id, { eventType: 'order.created', payload: { i }, eventId: i === 7 ? 'order-6' : `order-${i}` })),
    );

    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    const sent = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.id] : []));
    expect(new Set(sent).size).toBe(19);
    const arrived = () => h.receiver.requests.filter((request) => request.path.startsWith('/burst-'));
    await vi.waitFor(() => expect(arrived()).toHaveLength(38), { timeout: 10_000 });
    // A stray second delivery would show up in the meantime.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pairs = arrived().map((request) => `${request.headers['webhook-id'] as string} ${request.path}`);
    expect(new Set(pairs).size).toBe(38);
    expect(new Set(arrived().map((request) => request.headers['webhook-id']))).toEqual(new Set(sent));
  });
});

describe('an endpoint that does not answer', () => {
  // Concurrency 5: one endpoint may have one request in flight.
  const h = useHarness({ concurrency: 5, requestTimeout: '20s' });

  it('holds one worker, not all of them: the other endpoints get their deliveries while it hangs', async () => {
    const held: ServerResponse[] = [];
    h.receiver.answer((request, response) => {
      if (request.path === '/stuck') held.push(response);
      else response.writeHead(200).end('ok');
    });
    const app = await h.homing.applications.create({ name: 'Isolation' });
    await h.homing.endpoints.create(app.id, { url: h.receiver.url('/stuck') });
    await h.homing.endpoints.create(app.id, { url: h.receiver.url('/healthy') });

    for (let i = 0; i < 10; i += 1) await h.homing.producer.send(app.id, { eventType: 'order.created', payload: { i } });

    // All ten arrive well before the stuck endpoint's first request could time out.
    await vi.waitFor(() => expect(h.receiver.on('/healthy')).toHaveLength(10), { timeout: 10_000 });
    expect(h.receiver.on('/stuck')).toHaveLength(1);

    // Then it answers, and its waiting deliveries follow one at a time.
    h.receiver.status(200, 'ok');
    for (const response of held) response.writeHead(200).end('ok');
    await vi.waitFor(() => expect(h.receiver.on('/stuck')).toHaveLength(10), { timeout: 10_000 });
  });
});
