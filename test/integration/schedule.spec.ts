import { DeliveryEntity } from '@homing/webhooks';
import { describe, expect, it, vi } from 'vitest';
import { useHarness, type Harness } from '../support/harness.js';
import { deleteKeys } from '../support/services.js';

/** Sends `count` messages to the application, `parallel` at a time; returns their ids. */
async function sendMany(h: Harness, appId: string, count: number, parallel = 50): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += parallel) {
    const sent = await Promise.all(
      Array.from({ length: Math.min(parallel, count - i) }, (_, j) => h.homing.producer.send(appId, { eventType: 'order.paid', payload: { n: i + j } })),
    );
    ids.push(...sent.map((message) => message.id));
  }
  return ids;
}

/** How many requests the receiver got for each webhook id on a path. */
function requestsPerMessage(h: Harness, path: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of h.receiver.on(path)) {
    const id = String(request.headers['webhook-id']);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function deliveriesBy(h: Harness, endpointId: string): Promise<Record<string, number>> {
  const rows: { status: string; count: string }[] = await h.homing.dataSource
    .getRepository(DeliveryEntity)
    .createQueryBuilder('d')
    .select('d.status', 'status')
    .addSelect('COUNT(*)', 'count')
    .where({ endpointId })
    .groupBy('d.status')
    .getRawMany();
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

/** Jobs under the test's queue prefix in Redis, waiting or delayed. */
async function jobsInRedis(h: Harness): Promise<number> {
  const redis = h.services.redis;
  let jobs = 0;
  for (const key of await redis.keys(`${h.services.queuePrefix}:*`)) {
    if (key.endsWith(':wait')) jobs += await redis.llen(key);
    if (key.endsWith(':delayed')) jobs += await redis.zcard(key);
  }
  return jobs;
}

describe('the database is the schedule', () => {
  const h = useHarness({ retrySchedule: '1h', sweepInterval: '500ms' });

  it('keeps retries that are not due soon in MariaDB only, and sends them when they come due', async () => {
    const app = await h.homing.applications.create({ name: 'Waiting' });
    let up = false;
    h.receiver.answer((_request, response) => void response.writeHead(up ? 200 : 503).end());
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/later') });
    const ids = await sendMany(h, app.id, 300);
    await vi.waitFor(async () => expect(await deliveriesBy(h, endpoint.id)).toEqual({ pending: 300 }), { timeout: 60_000, interval: 200 });
    await vi.waitFor(() => expect(h.receiver.on('/later')).toHaveLength(300), { timeout: 60_000, interval: 100 });

    // 300 retries wait an hour: none of them is a job in Redis.
    expect(await jobsInRedis(h)).toBe(0);

    // An hour on: half come due in a moment (queued as they come within reach), half are overdue (caught up).
    up = true;
    await h.homing.dataSource.query(
      'UPDATE homing_deliveries SET nextAttemptAt = IF(MOD(CRC32(msgId), 2) = 0, NOW(3) + INTERVAL 2 SECOND, NOW(3) - INTERVAL 1 MINUTE) WHERE endpointId = ?',
      [endpoint.id],
    );
    await vi.waitFor(async () => expect(await deliveriesBy(h, endpoint.id)).toEqual({ success: 300 }), { timeout: 60_000, interval: 200 });
    const counts = requestsPerMessage(h, '/later');
    expect(counts.size).toBe(300);
    expect(ids.filter((id) => counts.get(id) !== 2)).toEqual([]);
  });

  it('sends a throttled backlog that reaches past the queue horizon in the slots it was given, each once', async () => {
    const app = await h.homing.applications.create({ name: 'Throttled' });
    h.receiver.status(200);
    // At 4/s, 32 deliveries take 8 s of slots: the later ones wait in their rows, not in Redis.
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/slow'), rateLimit: 4 });
    const ids = await sendMany(h, app.id, 32, 32);
    await vi.waitFor(async () => expect(await deliveriesBy(h, endpoint.id)).toEqual({ success: 32 }), { timeout: 60_000, interval: 200 });
    const counts = requestsPerMessage(h, '/slow');
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
    const times = h.receiver.on('/slow').map((request) => request.receivedAt).sort((a, b) => a - b);
    const gaps = times.slice(1).map((time, i) => time - times[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(225);
  });
});

describe('a Redis flush with retries waiting', () => {
  const h = useHarness({ retrySchedule: '4s', sweepInterval: '500ms' });

  it('loses none of 1,000 retries and sends none twice', async () => {
    const app = await h.homing.applications.create({ name: 'Flushed' });
    // Each message's first attempt fails; its retry, 4 s on, is a delayed job in Redis.
    const seen = new Set<string>();
    h.receiver.answer((request, response) => {
      const id = String(request.headers['webhook-id']);
      const first = !seen.has(id);
      seen.add(id);
      response.writeHead(first ? 500 : 200).end();
    });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/flushed') });
    const ids = await sendMany(h, app.id, 1000);
    await vi.waitFor(() => expect(seen.size).toBe(1000), { timeout: 120_000, interval: 100 });

    await deleteKeys(h.services.redis, `${h.services.queuePrefix}:*`);

    await vi.waitFor(async () => expect(await deliveriesBy(h, endpoint.id)).toEqual({ success: 1000 }), { timeout: 120_000, interval: 250 });
    const counts = requestsPerMessage(h, '/flushed');
    expect(ids.filter((id) => counts.get(id) !== 2)).toEqual([]);
  });
});
