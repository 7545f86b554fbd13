import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  ApplicationsService,
  EndpointEntity,
  EndpointsService,
  HOMING_ENTITIES,
  HOMING_MIGRATIONS,
  MessageEntity,
  ProducerService,
  WEBHOOKS_DATA_SOURCE,
  WebhooksModule,
} from '@homing/webhooks';
import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useHarness } from '../support/harness.js';
import { attemptsOf } from '../support/records.js';
import { TestReceiver } from '../support/receiver.js';
import { createTestServices, REDIS_URL, type TestServices } from '../support/services.js';
import { LOOPBACK_CIDRS } from '../support/webhooks-app.js';

describe('answers that change the retry plan', () => {
  const h = useHarness({ retrySchedule: '50ms,50ms,50ms' });

  it('disables an endpoint that answers 410 Gone at once, without retrying', async () => {
    h.receiver.answer((request, response) => void response.writeHead(request.path === '/gone' ? 410 : 200).end());
    const app = await h.homing.applications.create({ name: 'Gone' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/gone') });
    const message = await h.homing.producer.send(app.id, { eventType: 'a.b', payload: {} });

    await h.settled(message.id, endpoint.id, 'failed');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.receiver.on('/gone')).toHaveLength(1);
    const stored = await h.homing.dataSource.getRepository(EndpointEntity).findOneByOrFail({ id: endpoint.id });
    expect(stored).toMatchObject({ disabled: true, disabledReason: 'the endpoint answered 410 Gone' });
  });

  it.each([
    [429, '1'],
    [503, () => new Date(Date.now() + 2_000).toUTCString()],
  ])('waits as long as Retry-After asks on a %i, longer than the schedule would', async (code, retryAfter) => {
    let calls = 0;
    const path = `/throttled-${code}`;
    h.receiver.answer((_request, response) => {
      if (++calls === 1) response.writeHead(code, { 'retry-after': typeof retryAfter === 'string' ? retryAfter : retryAfter() }).end();
      else response.writeHead(200).end();
    });
    const app = await h.homing.applications.create({ name: `Throttled ${code}` });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url(path) });
    const message = await h.homing.producer.send(app.id, { eventType: 'a.b', payload: {} });

    await h.settled(message.id, endpoint.id, 'success');
    const [first, second] = h.receiver.on(path);
    // HTTP dates have one-second resolution, so the wait can be up to a second shorter than asked.
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(900);
  });
});

describe('transactional outbox', () => {
  let services: TestServices;
  let app: INestApplicationContext;
  let receiver: TestReceiver;
  let dataSource: DataSource;
  let appId: string;

  beforeAll(async () => {
    services = await createTestServices();
    receiver = await TestReceiver.start();
    @Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'mysql', url: services.databaseUrl, entities: HOMING_ENTITIES, migrations: HOMING_MIGRATIONS, migrationsRun: true, timezone: 'Z' }),
        // No sweeps during the test: only the after-commit path can get these messages queued.
        WebhooksModule.forRoot({ dataSource: 'default', redis: REDIS_URL, queuePrefix: services.queuePrefix, allowedCidrs: LOOPBACK_CIDRS, sweepInterval: '1h' }),
      ],
    })
    class HostModule {}
    app = await (await Test.createTestingModule({ imports: [HostModule] }).compile()).init();
    dataSource = app.get<DataSource>(WEBHOOKS_DATA_SOURCE);
    appId = (await app.get(ApplicationsService).create({ name: 'Shop' })).id;
    await app.get(EndpointsService).create(appId, { url: receiver.url('/outbox') });
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    await services?.drop();
  });

  it('sends a message written in a host transaction only once the transaction commits', async () => {
    const producer = app.get(ProducerService);
    let msgId = '';
    await dataSource.transaction(async (manager) => {
      msgId = (await producer.send(appId, { eventType: 'order.completed', payload: { order: 1 } }, { manager })).id;
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(receiver.requests.filter((r) => r.headers['webhook-id'] === msgId)).toHaveLength(0);
    });
    await vi.waitFor(() => expect(receiver.requests.filter((r) => r.headers['webhook-id'] === msgId)).toHaveLength(1), { timeout: 5_000 });
  });

  it('leaves no message and sends nothing when the host transaction rolls back', async () => {
    const producer = app.get(ProducerService);
    let msgId = '';
    await expect(
      dataSource.transaction(async (manager) => {
        msgId = (await producer.send(appId, { eventType: 'order.completed', payload: { order: 2 } }, { manager })).id;
        throw new Error('business change failed');
      }),
    ).rejects.toThrow('business change failed');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await dataSource.getRepository(MessageEntity).findOneBy({ id: msgId })).toBeNull();
    expect(await attemptsOf(dataSource, msgId)).toEqual([]);
    expect(receiver.requests.filter((r) => r.headers['webhook-id'] === msgId)).toHaveLength(0);
  });
});
