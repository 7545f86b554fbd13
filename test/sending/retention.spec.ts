import { AttemptEntity, DeliveryEntity, MessageEntity, PayloadPurgedError, ValidationError } from '@homing/webhooks';
import { PayloadRetentionService, PURGED_PAYLOAD } from '@homing/webhooks/internal';
import { describe, expect, it, vi } from 'vitest';
import { useHarness } from '../support/harness.js';
import { attemptsOf } from '../support/records.js';

const DAY_MS = 24 * 3600_000;

describe('payload retention', () => {
  const h = useHarness({ retrySchedule: '1h', payloadRetention: '30d' });
  const purger = () => h.homing.app.get(PayloadRetentionService);
  const messages = () => h.homing.dataSource.getRepository(MessageEntity);

  it('purges payloads past their retention in batches, keeping the message, its deliveries and attempts', async () => {
    const app = await h.homing.applications.create({ name: 'Retained' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/kept') });
    const old = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { secret: 'card 4242' }, eventId: 'order-1' });
    const shortLived = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { n: 2 }, payloadRetentionPeriod: 1 });
    await h.settled(old.id, endpoint.id);
    await h.settled(shortLived.id, endpoint.id);
    expect((await messages().findOneByOrFail({ id: old.id })).payloadExpiresAt).toEqual(new Date(old.createdAt.getTime() + 30 * DAY_MS));

    // Two days on, only the message kept for one day has expired.
    expect(await purger().purge(new Date(Date.now() + 2 * DAY_MS))).toBe(1);
    expect(await messages().findOneByOrFail({ id: old.id })).toMatchObject({ payload: JSON.stringify({ secret: 'card 4242' }), payloadPurgedAt: null });
    expect(await messages().findOneByOrFail({ id: shortLived.id })).toMatchObject({ payload: PURGED_PAYLOAD, payloadExpiresAt: null });

    const later = new Date(Date.now() + 31 * DAY_MS);
    expect(await purger().purge(later)).toBe(1);
    const purged = await messages().findOneByOrFail({ id: old.id });
    expect(purged).toMatchObject({ payload: PURGED_PAYLOAD, eventType: 'order.completed', eventId: 'order-1', payloadPurgedAt: later });
    expect(await attemptsOf(h.homing.dataSource, old.id)).toMatchObject([{ status: 'success', responseStatusCode: 200 }]);
    expect(await h.homing.dataSource.getRepository(DeliveryEntity).findOneByOrFail({ msgId: old.id })).toMatchObject({ status: 'success' });
    expect(await purger().purge(later)).toBe(0);
  });

  it('keeps a payload still owed to an endpoint until its delivery ends', async () => {
    const app = await h.homing.applications.create({ name: 'Owed' });
    h.receiver.answer((request, response) => void response.writeHead(request.path === '/down' ? 500 : 200).end());
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/down') });
    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { n: 3 }, payloadRetentionPeriod: 1 });
    await vi.waitFor(async () => expect(await attemptsOf(h.homing.dataSource, message.id)).toHaveLength(1), { timeout: 10_000 });
    await h.settled(message.id, endpoint.id, 'pending');

    expect(await purger().purge(new Date(Date.now() + 2 * DAY_MS))).toBe(0);
    expect((await messages().findOneByOrFail({ id: message.id })).payloadPurgedAt).toBeNull();
  });

  it('answers a resend of a purged message with a PayloadPurgedError (a 410 through the API) saying the payload was purged, and recovers none', async () => {
    const app = await h.homing.applications.create({ name: 'Resend purged' });
    h.receiver.status(500);
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/gone') });
    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { n: 4 }, payloadRetentionPeriod: 1 });
    await vi.waitFor(async () => expect(await attemptsOf(h.homing.dataSource, message.id)).toHaveLength(1), { timeout: 10_000 });
    // The retry an hour away is cancelled by hand so the delivery has ended (failed).
    await h.homing.dataSource.getRepository(DeliveryEntity).update({ msgId: message.id }, { status: 'failed', nextAttemptAt: null });
    expect(await purger().purge(new Date(Date.now() + 2 * DAY_MS))).toBe(1);

    const resend = h.homing.recovery.resend(app.id, message.id, endpoint.id);
    await expect(resend).rejects.toBeInstanceOf(PayloadPurgedError);
    await expect(resend).rejects.toMatchObject({
      code: 'payload_purged',
      message: expect.stringMatching(/^the payload of message "msg_\w+" was purged on .* \(past its retention period\); it cannot be sent again$/),
    });
    expect(await h.homing.recovery.recover(app.id, endpoint.id, new Date(0))).toBe(0);
    expect(await attemptsOf(h.homing.dataSource, message.id)).toHaveLength(1);
    expect(await h.homing.dataSource.getRepository(AttemptEntity).countBy({ msgId: message.id })).toBe(1);
  });

  it('refuses a retention period below one day with a ValidationError (a 422 through the API)', async () => {
    const app = await h.homing.applications.create({ name: 'Bad retention' });
    const send = h.homing.producer.send(app.id, { eventType: 'x', payload: {}, payloadRetentionPeriod: 0 });
    await expect(send).rejects.toBeInstanceOf(ValidationError);
    await expect(send).rejects.toMatchObject({ fields: [{ path: ['payloadRetentionPeriod'] }] });
  });
});
