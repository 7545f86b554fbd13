import { AttemptEntity, DeliveryEntity, MessageEntity, MessagesService } from '@homing/webhooks';
import { PayloadRetentionService } from '@homing/webhooks/internal';
import type { ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { startDispatcherApp } from '../support/dispatcher-app.js';
import { useHarness, type Harness } from '../support/harness.js';
import { attemptsOf, deliveryOf } from '../support/records.js';
import { createTestServices } from '../support/services.js';

const DAY_MS = 24 * 3600_000;
/** `days` from now: the retention pass is told the time rather than waited for. */
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS);

/** How many rows of the message are left in each table. */
async function rowsOf(h: Harness, msgId: string) {
  const ds = h.homing.dataSource;
  return {
    messages: await ds.getRepository(MessageEntity).countBy({ id: msgId }),
    deliveries: await ds.getRepository(DeliveryEntity).countBy({ msgId }),
    attempts: await ds.getRepository(AttemptEntity).countBy({ msgId }),
  };
}

describe('row retention', () => {
  // Payloads go after a day, rows after a week: each message's rows can go a week on, once purged.
  const h = useHarness({ retrySchedule: '1h', payloadRetention: '1d', retention: '7d', requestTimeout: '60s' });
  const retention = () => h.homing.app.get(PayloadRetentionService);

  /** A message to each endpoint, every delivery ended in success. */
  async function delivered(appId: string, endpointIds: string[], count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      const message = await h.homing.producer.send(appId, { eventType: 'order.completed', payload: { n } });
      for (const endpointId of endpointIds) await h.settled(message.id, endpointId);
      ids.push(message.id);
    }
    return ids;
  }

  it('deletes a finished message past the retention with its deliveries and attempts, and not before', async () => {
    const app = await h.homing.applications.create({ name: 'Old orders' });
    const endpoints = [await h.homing.endpoints.create(app.id, { url: h.receiver.url('/a') }), await h.homing.endpoints.create(app.id, { url: h.receiver.url('/b') })];
    const [msgId] = await delivered(
      app.id,
      endpoints.map((endpoint) => endpoint.id),
      1,
    );

    // Six days on the payload is purged but the row is within its week.
    expect(await retention().purge(inDays(6))).toBe(1);
    expect(await retention().deleteExpiredRows(inDays(6))).toEqual({ messages: 0, deliveries: 0, attempts: 0, finished: true });
    expect(await rowsOf(h, msgId)).toEqual({ messages: 1, deliveries: 2, attempts: 2 });

    expect(await retention().deleteExpiredRows(inDays(8))).toEqual({ messages: 1, deliveries: 2, attempts: 2, finished: true });
    expect(await rowsOf(h, msgId)).toEqual({ messages: 0, deliveries: 0, attempts: 0 });
  });

  it('deletes in batches, a pass out of time leaving the rest to the next', async () => {
    const app = await h.homing.applications.create({ name: 'Many orders' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/many') });
    const ids = await delivered(app.id, [endpoint.id], 5);
    expect(await retention().purge(inDays(2))).toBe(5);

    // No time at all: each pass deletes one batch of two, oldest first, and says whether it finished.
    const pass = () => retention().deleteExpiredRows(inDays(8), { batchSize: 2, budgetMs: 0 });
    expect(await pass()).toEqual({ messages: 2, deliveries: 2, attempts: 2, finished: false });
    expect(await rowsOf(h, ids[1])).toEqual({ messages: 0, deliveries: 0, attempts: 0 });
    expect(await rowsOf(h, ids[2])).toEqual({ messages: 1, deliveries: 1, attempts: 1 });
    expect(await pass()).toEqual({ messages: 2, deliveries: 2, attempts: 2, finished: false });
    expect(await pass()).toEqual({ messages: 1, deliveries: 1, attempts: 1, finished: true });
    for (const id of ids) expect(await rowsOf(h, id)).toEqual({ messages: 0, deliveries: 0, attempts: 0 });
  });

  it('keeps a message whose delivery is still pending or being sent, with all its deliveries and attempts', async () => {
    const app = await h.homing.applications.create({ name: 'Owed orders' });
    const held: ServerResponse[] = [];
    h.receiver.answer((request, response) => {
      if (request.path === '/hold') held.push(response);
      else void response.writeHead(request.path === '/down' ? 500 : 200).end();
    });
    const ok = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/ok') });
    const down = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/down') });
    const pending = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { n: 1 } });
    await h.settled(pending.id, ok.id);
    await h.settled(pending.id, down.id, 'pending');
    // Another application, so the held delivery is the message's only one.
    const other = await h.homing.applications.create({ name: 'Held orders' });
    const hold = await h.homing.endpoints.create(other.id, { url: h.receiver.url('/hold') });
    const sending = await h.homing.producer.send(other.id, { eventType: 'order.completed', payload: { n: 2 } });
    try {
      await vi.waitFor(async () => expect((await deliveryOf(h.homing.dataSource, sending.id, hold.id))?.status).toBe('sending'), { timeout: 10_000, interval: 25 });
      // Expunged by hand, so only what is owed keeps them (a purge would keep an owed payload, and with it the row).
      const messages = h.homing.app.get(MessagesService);
      await messages.expungeContent(app.id, pending.id);
      await messages.expungeContent(other.id, sending.id);

      expect(await retention().deleteExpiredRows(inDays(30))).toMatchObject({ messages: 0 });
      expect(await rowsOf(h, pending.id)).toEqual({ messages: 1, deliveries: 2, attempts: 2 });
      expect(await rowsOf(h, sending.id)).toEqual({ messages: 1, deliveries: 1, attempts: 0 });
    } finally {
      for (const response of held) response.writeHead(200).end();
    }
  });

  it('keeps the row of a message with a longer payload retention until its payload is purged', async () => {
    const app = await h.homing.applications.create({ name: 'Kept orders' });
    h.receiver.status(200);
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/kept') });
    const kept = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { n: 1 }, payloadRetentionPeriod: 30 });
    await h.settled(kept.id, endpoint.id);

    await retention().purge(inDays(20));
    await retention().deleteExpiredRows(inDays(20));
    expect(await rowsOf(h, kept.id)).toEqual({ messages: 1, deliveries: 1, attempts: 1 });
    expect((await h.homing.dataSource.getRepository(MessageEntity).findOneByOrFail({ id: kept.id })).payloadPurgedAt).toBeNull();

    await retention().purge(inDays(31));
    await retention().deleteExpiredRows(inDays(31));
    expect(await rowsOf(h, kept.id)).toEqual({ messages: 0, deliveries: 0, attempts: 0 });
  });
});

describe('row retention off', () => {
  const h = useHarness({ payloadRetention: '1d', retention: 'off' });

  it('purges payloads but deletes no row, however old', async () => {
    const app = await h.homing.applications.create({ name: 'Kept forever' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/forever') });
    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { n: 1 } });
    await h.settled(message.id, endpoint.id);

    const retention = h.homing.app.get(PayloadRetentionService);
    expect(await retention.purge(inDays(2))).toBe(1);
    expect(await retention.deleteExpiredRows(inDays(3650))).toEqual({ messages: 0, deliveries: 0, attempts: 0, finished: true });
    expect(await rowsOf(h, message.id)).toEqual({ messages: 1, deliveries: 1, attempts: 1 });
    expect(await attemptsOf(h.homing.dataSource, message.id)).toMatchObject([{ status: 'success' }]);
  });
});

describe('HOMING_RETENTION on the dispatcher', () => {
  it('reaches the library: rows go after the retention the variable sets', async () => {
    const services = await createTestServices();
    const dispatcher = await startDispatcherApp(services, { HOMING_RETENTION: '2d', HOMING_PAYLOAD_RETENTION: '1d' });
    try {
      const app = await dispatcher.svix.application.create({ name: 'Env retention' });
      // No endpoint: nothing is owed, so only the two retentions decide.
      const message = await dispatcher.svix.message.create(app.id, { eventType: 'order.completed', payload: { n: 1 } });
      const retention = dispatcher.app.get(PayloadRetentionService);
      expect(await retention.purge(inDays(1.5))).toBe(1);
      expect((await retention.deleteExpiredRows(inDays(1.5))).messages).toBe(0);
      expect((await retention.deleteExpiredRows(inDays(2.5))).messages).toBe(1);
      expect(await dispatcher.dataSource.getRepository(MessageEntity).countBy({ id: message.id })).toBe(0);
    } finally {
      await dispatcher.close();
      await services.drop();
    }
  });
});
