import { createHash } from 'node:crypto';
import { HOMING_MIGRATIONS } from '@homing/webhooks';
import { openMigrated } from '@homing/webhooks/internal';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_TOKEN, startDispatcherApp, type DispatcherTestApp } from '../support/dispatcher-app.js';
import { expectTablesOfEntities, textCollations } from '../support/schema.js';
import { createTestServices, type TestServices } from '../support/services.js';

const EXACT = 'ExactIdentifiers1764600000000';
const APP_A = 'app_01JD3B9R8Q2W6N3V5X7Y9Z1A2B';
const APP_B = 'app_01JD3B9R8Q2W6N3V5X7Y9Z1C3D';
const NOW = '2026-11-01 12:00:00.000';

/**
 * The tables of portal tokens, idempotency records and background tasks as the library's migration
 * 1764000000000 created them, right after its other changes, until the dispatcher took them into its own migrations.
 */
const FORMER_API_RECORDS = [
  'CREATE TABLE `homing_portal_tokens` (`id` varchar(40) NOT NULL, `appId` varchar(40) NOT NULL, `tokenHash` char(64) NOT NULL, `capabilities` json NOT NULL, `sessionId` varchar(256) NULL, `createdAt` datetime(3) NOT NULL, `expiresAt` datetime(3) NOT NULL, UNIQUE INDEX `IDX_homing_portal_tokens_hash` (`tokenHash`), INDEX `IDX_homing_portal_tokens_app` (`appId`, `expiresAt`), PRIMARY KEY (`id`))',
  'CREATE TABLE `homing_idempotency_records` (`id` char(64) NOT NULL, `requestHash` char(64) NOT NULL, `state` varchar(16) NOT NULL, `statusCode` int NULL, `body` longtext NULL, `createdAt` datetime(3) NOT NULL, `expiresAt` datetime(3) NOT NULL, INDEX `IDX_homing_idempotency_records_expires` (`expiresAt`), PRIMARY KEY (`id`))',
  'CREATE TABLE `homing_background_tasks` (`id` varchar(40) NOT NULL, `appId` varchar(40) NULL, `task` varchar(64) NOT NULL, `status` varchar(16) NOT NULL, `data` json NOT NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `IDX_homing_background_tasks_app` (`appId`, `id`), PRIMARY KEY (`id`))',
];

/** The library's migrations up to the named one, included. */
const through = (name: string) => HOMING_MIGRATIONS.slice(0, HOMING_MIGRATIONS.findIndex((migration) => migration.name === name) + 1);

/** A database as the library's `migrations` left it before the dispatcher had tables of its own. */
async function formerSchema(services: TestServices, migrations: Function[]): Promise<DataSource> {
  const dataSource = await migrated(services, through('AddApiRecords1764000000000'));
  for (const create of FORMER_API_RECORDS) await dataSource.query(`${create} ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  await dataSource.destroy();
  return migrated(services, migrations);
}

/** A database migrated as far as `migrations` go, as the test's own connection. */
async function migrated(services: TestServices, migrations: Function[]): Promise<DataSource> {
  const dataSource = new DataSource({ type: 'mysql', url: services.databaseUrl, migrations, migrationsTableName: 'homing_migrations', timezone: 'Z' });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
}

describe('upgrading a database of the previous schema to exact identifiers', () => {
  let services: TestServices;
  let before: DataSource;
  let after: DataSource;
  const counts = {} as Record<string, number>;
  const TABLES = ['applications', 'endpoints', 'messages', 'deliveries', 'attempts', 'event_types', 'portal_tokens', 'idempotency_records', 'background_tasks'];

  const count = async (dataSource: DataSource, table: string) => Number((await dataSource.query(`SELECT COUNT(*) AS n FROM homing_${table}`))[0].n);

  beforeAll(async () => {
    services = await createTestServices();
    before = await formerSchema(services, HOMING_MIGRATIONS.slice(0, HOMING_MIGRATIONS.findIndex((migration) => migration.name === EXACT)));
    const insert = (table: string, row: Record<string, unknown>) =>
      before.query(`INSERT INTO homing_${table} (${Object.keys(row).map((c) => `\`${c}\``).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`, Object.values(row));
    const stamps = { createdAt: NOW, updatedAt: NOW };
    await insert('applications', { id: APP_A, uid: 'acme', name: 'Acme', ...stamps });
    // A uid equal to another application's id but for case: the old collation let both exist.
    await insert('applications', { id: APP_B, uid: APP_A.toLowerCase(), name: 'Lower', ...stamps });
    await insert('endpoints', { id: 'ep_1', appId: APP_A, uid: 'primary', url: 'https://example.com/', description: '', secret: 'whsec_x', ...stamps });
    await insert('messages', { id: 'msg_1', appId: APP_A, eventType: 'Order.Paid', eventId: 'Order-1', payload: '{}', createdAt: NOW });
    await insert('deliveries', { msgId: 'msg_1', endpointId: 'ep_1', appId: APP_A, status: 'success', trigger: 'scheduled', ...stamps });
    await insert('attempts', {
      id: 'atmpt_1', msgId: 'msg_1', endpointId: 'ep_1', appId: APP_A, url: 'https://example.com/', status: 'success',
      responseStatusCode: 200, response: 'ok', responseDurationMs: 5, trigger: 'scheduled', createdAt: NOW,
    });
    await insert('event_types', { name: 'Order.Paid', description: 'paid', ...stamps });
    await insert('portal_tokens', { id: 'ptok_1', appId: APP_A, tokenHash: 'a'.repeat(64), capabilities: '[]', createdAt: NOW, expiresAt: NOW });
    await insert('idempotency_records', { id: 'b'.repeat(64), requestHash: 'c'.repeat(64), state: 'done', createdAt: NOW, expiresAt: NOW });
    await insert('background_tasks', { id: 'qtask_1', appId: APP_A, task: 'endpoint.recover', status: 'finished', data: '{}', ...stamps });

    // What the old schema did with keys equal but for case or trailing spaces: one unique key, so the second is refused.
    await expect(insert('applications', { id: 'app_other', uid: 'ACME', name: 'x', ...stamps })).rejects.toThrow(/Duplicate entry/);
    await expect(insert('applications', { id: 'app_other', uid: 'acme ', name: 'x', ...stamps })).rejects.toThrow(/Duplicate entry/);
    expect(await before.query("SELECT id FROM homing_applications WHERE uid = 'ACME '")).toEqual([{ id: APP_A }]);
    for (const table of TABLES) counts[table] = await count(before, table);
    await before.destroy();

    after = await migrated(services, HOMING_MIGRATIONS);
  });

  afterAll(async () => {
    await after?.destroy();
    await services?.drop();
  });

  it('keeps every row', async () => {
    for (const table of TABLES) expect(await count(after, table), table).toBe(counts[table]);
    expect(await after.query('SELECT id, uid FROM homing_applications ORDER BY id')).toEqual([
      { id: APP_A, uid: 'acme' },
      { id: APP_B, uid: APP_A.toLowerCase() },
    ]);
  });

  it('leaves every text column of every Homing table binary, trailing spaces counted', async () => {
    const columns: { table: string; column: string; collation: string }[] = await after.query(
      "SELECT TABLE_NAME AS `table`, COLUMN_NAME AS `column`, COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'homing\\_%' AND TABLE_NAME <> 'homing_migrations' AND COLLATION_NAME IS NOT NULL",
    );
    expect(columns.length).toBeGreaterThan(40);
    // MariaDB's binary collation without padding (MySQL 8's is utf8mb4_0900_bin).
    expect(columns.filter((column) => column.collation !== 'utf8mb4_nopad_bin')).toEqual([]);
  });

  it('compares ids, uids, eventIds and type names byte for byte afterwards', async () => {
    expect(await after.query("SELECT id FROM homing_applications WHERE uid = 'ACME' OR uid = 'acme ' OR id = ?", [APP_A.toLowerCase()])).toEqual([]);
    expect(await after.query("SELECT id FROM homing_applications WHERE uid = 'acme'")).toEqual([{ id: APP_A }]);
    await after.query("INSERT INTO homing_applications (id, uid, name, createdAt, updatedAt) VALUES ('app_upper', 'ACME', 'Upper', ?, ?)", [NOW, NOW]);
    await after.query("INSERT INTO homing_messages (id, appId, eventType, eventId, payload, createdAt) VALUES ('msg_2', ?, 'order.paid', 'order-1', '{}', ?)", [APP_A, NOW]);
    expect(await after.query("SELECT id FROM homing_messages WHERE eventId = 'order-1'")).toEqual([{ id: 'msg_2' }]);
    expect(await after.query("SELECT name FROM homing_event_types WHERE name = 'order.paid'")).toEqual([]);
  });
});

describe("upgrading a dispatcher's database of the schema before the dispatcher had tables of its own", () => {
  const TOKEN = 'hpt_kept-across-the-upgrade';
  const IDEMPOTENCY_KEY = 'created-before-the-upgrade';
  const BODY = { name: 'Created before' };
  const REPLAYED = { id: 'app_01JD3B9R8Q2W6N3V5X7Y9Z1E4F', name: 'Created before', uid: null, metadata: {}, createdAt: '2026-11-01T12:00:00.000Z', updatedAt: '2026-11-01T12:00:00.000Z' };
  const TASK = 'qtask_01JD3B9R8Q2W6N3V5X7Y9Z1E5G';
  const TABLES = ['applications', 'portal_tokens', 'idempotency_records', 'background_tasks'];
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  let services: TestServices;
  let dispatcher: DispatcherTestApp;
  const counts = {} as Record<string, number>;

  beforeAll(async () => {
    services = await createTestServices();
    // The schema of the last library migration before the move, with rows in every table the dispatcher takes.
    const today = await formerSchema(services, through(EXACT));
    const insert = (table: string, row: Record<string, unknown>) =>
      today.query(`INSERT INTO homing_${table} (${Object.keys(row).map((c) => `\`${c}\``).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`, Object.values(row));
    const tomorrow = new Date(Date.now() + 86_400_000);
    await insert('applications', { id: APP_A, uid: 'acme', name: 'Acme', createdAt: NOW, updatedAt: NOW });
    await insert('portal_tokens', { id: 'ptok_1', appId: APP_A, tokenHash: sha256(TOKEN), capabilities: '["ViewBase"]', sessionId: 'kept', createdAt: NOW, expiresAt: tomorrow });
    await insert('background_tasks', { id: TASK, appId: APP_A, task: 'endpoint.recover', status: 'finished', data: '{"messagesSent":2}', createdAt: NOW, updatedAt: NOW });
    // As the idempotency layer keys an operator's POST /app and stores its answer.
    await insert('idempotency_records', {
      id: sha256(['operator', IDEMPOTENCY_KEY, 'POST', '/api/v1/app'].join('\n')),
      requestHash: sha256(JSON.stringify(BODY)),
      state: 'finished',
      statusCode: 201,
      body: JSON.stringify(REPLAYED),
      createdAt: new Date(),
      expiresAt: tomorrow,
    });
    for (const table of TABLES) counts[table] = Number((await today.query(`SELECT COUNT(*) AS n FROM homing_${table}`))[0].n);
    await today.destroy();

    dispatcher = await startDispatcherApp(services);
  });

  afterAll(async () => {
    await dispatcher?.close();
    await services?.drop();
  });

  it('keeps every row, in tables that are what the entities describe, exact text included', async () => {
    for (const table of TABLES) expect(Number((await dispatcher.records.query(`SELECT COUNT(*) AS n FROM homing_${table}`))[0].n), table).toBe(counts[table]);
    expect(await dispatcher.records.query('SELECT name FROM homing_dispatcher_migrations')).toEqual([{ name: 'CreateDispatcherRecords1764800000000' }]);
    await expectTablesOfEntities(dispatcher.records);
    const tables = dispatcher.records.entityMetadatas.map((entity) => entity.tableName);
    const columns = (await textCollations(dispatcher.records)).filter((column) => tables.includes(column.table));
    expect(columns.filter((column) => column.collation !== 'utf8mb4_nopad_bin')).toEqual([]);
  });

  it('still takes the portal token, shows the task and replays the stored answer', async () => {
    expect(await dispatcher.as(TOKEN).application.get(APP_A)).toMatchObject({ id: APP_A, uid: 'acme' });
    expect(await dispatcher.svix.backgroundTask.get(TASK)).toMatchObject({ status: 'finished', task: 'endpoint.recover', data: { messagesSent: 2 } });
    const retried = await fetch(`${dispatcher.url}/api/v1/app`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': IDEMPOTENCY_KEY },
      body: JSON.stringify(BODY),
    });
    expect(retried.status).toBe(201);
    expect(await retried.json()).toEqual(REPLAYED);
    expect(Number((await dispatcher.dataSource.query('SELECT COUNT(*) AS n FROM homing_applications'))[0].n)).toBe(counts.applications);
  });
});

describe('processes starting together on a new database', () => {
  let services: TestServices;
  const opened: DataSource[] = [];

  beforeAll(async () => {
    services = await createTestServices();
  });

  afterAll(async () => {
    await Promise.all(opened.map((dataSource) => dataSource.destroy()));
    await services?.drop();
  });

  it('apply each migration once, one process after the other, and all start', async () => {
    const options = { type: 'mysql' as const, url: services.databaseUrl, migrations: HOMING_MIGRATIONS, migrationsTableName: 'homing_migrations', migrationsRun: true, timezone: 'Z' };
    opened.push(...(await Promise.all([1, 2, 3].map(() => openMigrated(options)))));
    const applied = (await opened[0].query('SELECT name FROM homing_migrations')) as { name: string }[];
    expect(applied.map((row) => row.name).sort()).toEqual(HOMING_MIGRATIONS.map((migration) => migration.name).sort());
  });
});
