import type { ServerResponse } from 'node:http';
import { ConflictError } from '@homing/webhooks';
import { newId } from '@homing/webhooks/internal';
import { describe, expect, it, vi } from 'vitest';
import { useHarness, type Harness } from '../support/harness.js';
import { startWebhooksApp } from '../support/webhooks-app.js';

/** Copies a message and its delivery to `endpointId` `count` times, each delivery owed since `overdueBy` ago and in no queue (as after a Redis flush). */
async function owedCopies(h: Harness, msgId: string, endpointId: string, count: number, overdueBy: string): Promise<void> {
  const query = (sql: string, parameters: unknown[] = []) => h.homing.dataSource.query(sql, parameters);
  const columnsOf = async (table: string) =>
    ((await query('SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table])) as { name: string }[]).map(
      ({ name }) => `\`${name}\``,
    );
  const ids = JSON.stringify(Array.from({ length: count }, () => newId('message')));
  const copies = "JSON_TABLE(?, '$[*]' COLUMNS (id VARCHAR(40) PATH '$')) AS copy";
  const messageColumns = (await columnsOf('homing_messages')).filter((column) => column !== '`id`');
  await query(
    `INSERT INTO homing_messages (id, ${messageColumns.join(', ')}) SELECT copy.id, ${messageColumns.map((column) => `m.${column}`).join(', ')} FROM homing_messages m JOIN ${copies} WHERE m.id = ?`,
    [ids, msgId],
  );
  const replaced: Record<string, string> = { '`msgId`': 'copy.id', '`status`': "'pending'", '`attempts`': '0', '`nextAttemptAt`': `NOW(3) - INTERVAL ${overdueBy}`, '`leaseUntil`': 'NULL' };
  const deliveryColumns = await columnsOf('homing_deliveries');
  await query(
    `INSERT INTO homing_deliveries (${deliveryColumns.join(', ')}) SELECT ${deliveryColumns.map((column) => replaced[column] ?? `d.${column}`).join(', ')} FROM homing_deliveries d JOIN ${copies} WHERE d.msgId = ? AND d.endpointId = ?`,
    [ids, msgId, endpointId],
  );
}

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

describe("a worker's own new messages", () => {
  // Concurrency 5: one endpoint may have one request in flight.
  const h = useHarness({ concurrency: 5 });

  it('are written claimed and sent once; a refused one gives its place back, so the next is sent', async () => {
    const app = await h.homing.applications.create({ name: 'Own' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/own') });
    const first = await h.homing.producer.send(app.id, { eventType: 'order.created', payload: { i: 1 }, eventId: 'order-1' });
    await h.settled(first.id, endpoint.id);
    // Each refused send had the endpoint's one place kept for it while its rows were written.
    for (let i = 0; i < 3; i += 1) {
      await expect(h.homing.producer.send(app.id, { eventType: 'order.created', payload: { i }, eventId: 'order-1' })).rejects.toBeInstanceOf(ConflictError);
    }
    const next = await h.homing.producer.send(app.id, { eventType: 'order.created', payload: { i: 2 }, eventId: 'order-2' });
    await h.settled(next.id, endpoint.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.receiver.on('/own').map((request) => request.headers['webhook-id'])).toEqual([first.id, next.id]);
  });
});

describe('an endpoint that does not answer, with thousands of deliveries owed', () => {
  const h = useHarness({ concurrency: 5, requestTimeout: '20s', retrySchedule: '1h', sweepInterval: '500ms' });

  it("does not hold back the other endpoints' overdue deliveries while its line fills the worker", async () => {
    const held: ServerResponse[] = [];
    let behindUp = false;
    h.receiver.answer((request, response) => {
      if (request.path === '/hanging') held.push(response);
      else response.writeHead(behindUp ? 200 : 503).end();
    });
    const hanging = await h.homing.applications.create({ name: 'Hanging' });
    const hangingEndpoint = await h.homing.endpoints.create(hanging.id, { url: h.receiver.url('/hanging') });
    const behind = await h.homing.applications.create({ name: 'Behind' });
    const behindEndpoint = await h.homing.endpoints.create(behind.id, { url: h.receiver.url('/behind') });

    // 20 deliveries fail once and wait an hour for their retry.
    for (let i = 0; i < 20; i += 1) await h.homing.producer.send(behind.id, { eventType: 'order.paid', payload: { i } });
    await vi.waitFor(() => expect(h.receiver.on('/behind')).toHaveLength(20), { timeout: 20_000 });
    // 6,000 deliveries to the hanging endpoint, owed for longer, come first in the schedule.
    const first = await h.homing.producer.send(hanging.id, { eventType: 'order.paid', payload: { first: true } });
    await vi.waitFor(() => expect(held).toHaveLength(1), { timeout: 10_000 });
    await owedCopies(h, first.id, hangingEndpoint.id, 6_000, '2 MINUTE');

    // The retries fall overdue (as after a Redis flush) and the endpoint answers again.
    behindUp = true;
    await h.homing.dataSource.query('UPDATE homing_deliveries SET nextAttemptAt = NOW(3) - INTERVAL 1 MINUTE WHERE endpointId = ?', [behindEndpoint.id]);
    try {
      await vi.waitFor(() => expect(h.receiver.on('/behind')).toHaveLength(40), { timeout: 15_000, interval: 100 });
      // The hanging endpoint still holds its one request: its line is what filled the worker.
      expect(held).toHaveLength(1);
    } finally {
      h.receiver.status(200);
      for (const response of held) response.writeHead(200).end();
    }
  });
});

describe('a worker that leaves the background work to others (background: false)', () => {
  const h = useHarness({ background: false, sweepInterval: '500ms' });

  it('delivers the messages it accepts, and leaves overdue deliveries to a worker that takes the backlog', async () => {
    const app = await h.homing.applications.create({ name: 'Serving' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/serving') });
    const first = await h.homing.producer.send(app.id, { eventType: 'order.paid', payload: { first: true } });
    await vi.waitFor(() => expect(h.receiver.on('/serving')).toHaveLength(1), { timeout: 10_000 });
    // 300 deliveries owed for a minute that no job carries: a backlog, as after a Redis flush.
    await owedCopies(h, first.id, endpoint.id, 300, '1 MINUTE');

    expect(await h.homing.sweeper.sweep()).toBe(0);
    await h.homing.producer.send(app.id, { eventType: 'order.paid', payload: { fresh: true } });
    await vi.waitFor(() => expect(h.receiver.on('/serving')).toHaveLength(2), { timeout: 10_000 });
    const [{ owed }] = await h.homing.dataSource.query("SELECT COUNT(*) AS owed FROM homing_deliveries WHERE endpointId = ? AND status = 'pending'", [endpoint.id]);
    expect(Number(owed)).toBe(300);

    // A worker that does the background work only takes the backlog; what it sends itself goes to the worker that delivers.
    const backlogWorker = await startWebhooksApp(h.services, { sweepInterval: '500ms', background: 'only' });
    try {
      await vi.waitFor(() => expect(h.receiver.on('/serving')).toHaveLength(302), { timeout: 20_000, interval: 100 });
      await backlogWorker.producer.send(app.id, { eventType: 'order.paid', payload: { fromTheBackgroundWorker: true } });
      await vi.waitFor(() => expect(h.receiver.on('/serving')).toHaveLength(303), { timeout: 10_000 });
    } finally {
      await backlogWorker.close();
    }
  });
});
