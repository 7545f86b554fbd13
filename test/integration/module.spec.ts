import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationsService, EndpointsService, HOMING_ENTITIES, HOMING_MIGRATIONS, ProducerService, WEBHOOKS_DATA_SOURCE, WebhooksModule } from '@homing/webhooks';
import { createConnection } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDispatcherApp } from '../support/dispatcher-app.js';
import { TestReceiver } from '../support/receiver.js';
import { expectTablesOfEntities, tablesOf, textCollations } from '../support/schema.js';
import { createTestServices, deleteKeys, MYSQL_URL, REDIS_URL, type TestServices } from '../support/services.js';
import { LOOPBACK_CIDRS, startWebhooksApp, type WebhooksTestApp } from '../support/webhooks-app.js';

describe('WebhooksModule in a host app', () => {
  let services: TestServices;
  let receiver: TestReceiver;
  const opened: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    receiver = await TestReceiver.start();
  });

  afterEach(async () => {
    while (opened.length) await opened.pop()!.close();
    await services?.drop();
  });

  afterAll(async () => {
    await receiver?.close();
  });

  async function sendOne(app: { get: <T>(type: new (...args: never[]) => T) => T }, path: string) {
    const application = await app.get(ApplicationsService).create({ name: path });
    await app.get(EndpointsService).create(application.id, { url: receiver.url(path) });
    return app.get(ProducerService).send(application.id, { eventType: 'order.completed', payload: { path } });
  }

  it("persists into the host's own DataSource when given its name", async () => {
    services = await createTestServices();
    @Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'mysql', url: services.databaseUrl, entities: HOMING_ENTITIES, migrations: HOMING_MIGRATIONS, migrationsRun: true, timezone: 'Z' }),
        WebhooksModule.forRoot({ dataSource: 'default', redis: REDIS_URL, queuePrefix: services.queuePrefix, allowedCidrs: LOOPBACK_CIDRS }),
      ],
    })
    class HostModule {}
    const app = await (await Test.createTestingModule({ imports: [HostModule] }).compile()).init();
    opened.push(app);

    const message = await sendOne(app, '/host-datasource');
    await vi.waitFor(() => expect(receiver.on('/host-datasource')).toHaveLength(1), { timeout: 10_000 });
    expect(receiver.on('/host-datasource')[0].headers['webhook-id']).toBe(message.id);
    const [row] = await app.get<DataSource>(WEBHOOKS_DATA_SOURCE).query('SELECT DATABASE() AS db');
    expect(row.db).toBe(services.databaseName);
  });

  it('takes its options from a factory with forRootAsync', async () => {
    services = await createTestServices();
    const app = await (
      await Test.createTestingModule({
        imports: [
          WebhooksModule.forRootAsync({
            useFactory: async () => ({ database: { url: services.databaseUrl }, redis: REDIS_URL, queuePrefix: services.queuePrefix, allowedCidrs: LOOPBACK_CIDRS }),
          }),
        ],
      }).compile()
    ).init();
    opened.push(app);
    await sendOne(app, '/async-options');
    await vi.waitFor(() => expect(receiver.on('/async-options')).toHaveLength(1), { timeout: 10_000 });
  });

  it('produces without delivering when worker is off; a worker process on the same stores delivers', async () => {
    services = await createTestServices();
    const producer = await startWebhooksApp(services, { worker: false });
    opened.push(producer);
    await sendOne(producer.app, '/producer-only');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.on('/producer-only')).toHaveLength(0);

    const worker = await startWebhooksApp(services, { worker: true });
    opened.push(worker);
    await vi.waitFor(() => expect(receiver.on('/producer-only')).toHaveLength(1), { timeout: 10_000 });
  });

  it('delivers what the database owes even when the queued jobs are lost', async () => {
    services = await createTestServices();
    const producer = await startWebhooksApp(services, { worker: false });
    opened.push(producer);
    await sendOne(producer.app, '/lost-job');
    // As if Redis had been flushed: the job is gone, the delivery row is not.
    await deleteKeys(services.redis, `${services.queuePrefix}:*`);

    const worker = await startWebhooksApp(services, { worker: true, sweepInterval: '200ms' });
    opened.push(worker);
    await vi.waitFor(() => expect(receiver.on('/lost-job')).toHaveLength(1), { timeout: 10_000 });
  });

  it('has migrations that create the tables, columns, nullability and indexes the entities describe', async () => {
    services = await createTestServices();
    const homing: WebhooksTestApp = await startWebhooksApp(services, { worker: false });
    opened.push(homing);
    await expectTablesOfEntities(homing.dataSource);
    // A host gets the library's tables and no other: the dispatcher's are its own.
    expect(await tablesOf(homing.dataSource)).toEqual([...homing.dataSource.entityMetadatas.map((entity) => entity.tableName), 'homing_migrations'].sort());
  });

  it('gives the dispatcher migrations of its own that create the tables its entities describe, with exact text, on a first start', async () => {
    services = await createTestServices();
    // No database yet: the library's DataSource creates it before the dispatcher's opens.
    const admin = await createConnection(MYSQL_URL);
    await admin.query(`DROP DATABASE \`${services.databaseName}\``);
    await admin.end();
    const dispatcher = await startDispatcherApp(services);
    opened.push(dispatcher);
    await expectTablesOfEntities(dispatcher.records);
    const tables = [dispatcher.dataSource, dispatcher.records].flatMap((dataSource) => dataSource.entityMetadatas.map((entity) => entity.tableName));
    expect(await tablesOf(dispatcher.records)).toEqual([...tables, 'homing_migrations', 'homing_dispatcher_migrations'].sort());
    expect(await dispatcher.records.query('SELECT name FROM homing_dispatcher_migrations')).toEqual(dispatcher.records.migrations.map(({ name }) => ({ name })));
    // As the library's tables (see upgrade.spec): MariaDB's binary collation without padding.
    const columns = (await textCollations(dispatcher.records)).filter((column) => tables.includes(column.table));
    expect(columns.length).toBeGreaterThan(40);
    expect(columns.filter((column) => column.collation !== 'utf8mb4_nopad_bin')).toEqual([]);
  });
});
