import { DeliveryEntity, HOMING_EVENT, type AttemptMadeEvent } from '@homing/webhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestReceiver } from '../support/receiver.js';
import { createTestServices, type TestServices } from '../support/services.js';
import { startWebhooksApp, type WebhooksTestApp } from '../support/webhooks-app.js';

/** The most arrivals within any `windowMs`, over sorted arrival times. */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('throttleRate across two replicas on one MariaDB and Redis', () => {
  let services: TestServices;
  let replicas: WebhooksTestApp[];
  let receiver: TestReceiver;
  const attemptsBy = new Map<WebhooksTestApp, number>();

  beforeAll(async () => {
    services = await createTestServices();
    replicas = [];
    for (let i = 0; i < 2; i++) replicas.push(await startWebhooksApp(services, { retrySchedule: '1h' }));
    for (const replica of replicas) {
      replica.events.on(HOMING_EVENT.attemptMade, (_event: AttemptMadeEvent) => attemptsBy.set(replica, (attemptsBy.get(replica) ?? 0) + 1));
    }
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    for (const replica of replicas ?? []) await replica.close();
    await receiver?.close();
    await services?.drop();
  });

  const arrivalTimes = (path: string) => receiver.on(path).map((request) => request.receivedAt).sort((a, b) => a - b);

  /** Sends `count` messages at once and waits until each endpoint at `paths` has them all, each once, all deliveries successful. */
  async function burst(appId: string, paths: string[], count: number): Promise<void> {
    const [producer] = replicas;
    const sent = await Promise.all(Array.from({ length: count }, (_, i) => producer.producer.send(appId, { eventType: 'tick', payload: { i } })));
    for (const path of paths) await vi.waitFor(() => expect(receiver.on(path)).toHaveLength(count), { timeout: 20_000, interval: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const path of paths) {
      expect(receiver.on(path)).toHaveLength(count);
      expect(new Set(receiver.on(path).map((request) => request.headers['webhook-id'])).size).toBe(count);
    }
    const deliveries = await producer.dataSource.getRepository(DeliveryEntity).findBy(sent.map((message) => ({ msgId: message.id })));
    expect(deliveries.map((delivery) => delivery.status)).toEqual(Array(count * paths.length).fill('success'));
  }

  it('delivers to an endpoint no faster than its rate, losing nothing, with both replicas working', async () => {
    const app = await replicas[0].applications.create({ name: 'Throttled' });
    await replicas[0].endpoints.create(app.id, { url: receiver.url('/five'), rateLimit: 5 });

    await burst(app.id, ['/five'], 20);

    const times = arrivalTimes('/five');
    const spanMs = times.at(-1)! - times[0];
    // 20 deliveries 200 ms apart span 3.8 s; timer and network latency shift single arrivals by some ms.
    expect(spanMs).toBeGreaterThanOrEqual(19 * 200 - 100);
    expect(busiestWindow(times, 900)).toBeLessThanOrEqual(5);
    console.info(`throttleRate 5/s, two replicas: 20 deliveries over ${spanMs} ms = ${((19 * 1000) / spanMs).toFixed(2)}/s`);
    expect([...attemptsBy.values()].filter((count) => count > 0)).toHaveLength(2);
  });

  it("applies the application's rate to endpoints that set none, each endpoint on its own schedule", async () => {
    const app = await replicas[1].applications.create({ name: 'Default rate', rateLimit: 4 });
    await replicas[1].endpoints.create(app.id, { url: receiver.url('/four-a') });
    await replicas[1].endpoints.create(app.id, { url: receiver.url('/four-b') });

    await burst(app.id, ['/four-a', '/four-b'], 8);

    for (const path of ['/four-a', '/four-b']) {
      const times = arrivalTimes(path);
      expect(times.at(-1)! - times[0]).toBeGreaterThanOrEqual(7 * 250 - 100);
    }
    // Neither endpoint's deliveries waited for the other's: together they went faster than one rate allows.
    const together = [...arrivalTimes('/four-a'), ...arrivalTimes('/four-b')].sort((a, b) => a - b);
    expect(busiestWindow(together, 1000)).toBeGreaterThanOrEqual(6);
  });
});
