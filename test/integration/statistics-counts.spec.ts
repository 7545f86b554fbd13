import { AttemptsService, HOMING_MIGRATIONS, StatisticsService, StatusService } from '@homing/webhooks';
import { CountsFolder } from '@homing/webhooks/internal';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useHarness } from '../support/harness.js';

const HOUR = 3_600_000;
const FIVE_MINUTES = 300_000;
const WAIT = { timeout: 15_000, interval: 50 };

/** A delivery's status as the counts count it (see DeliveryCountStatus). */
const COUNTED =
  "CASE WHEN status IN ('pending', 'sending') THEN IF(attempts > 0 AND `trigger` = 'scheduled', 'retrying', 'pending') ELSE status END";
const hourOf = (column: string) => `DATE_FORMAT(${column}, '%Y-%m-%d %H:00:00')`;
const fiveMinutesOf = (column: string) => `DATE_FORMAT(${column} - INTERVAL (MINUTE(${column}) % 5) MINUTE, '%Y-%m-%d %H:%i:00')`;

describe('statistics counts: kept by triggers, folded into aggregates, exact at read time', () => {
  // A failing delivery gets one retry, soon; messages of 'slow.retry' wait an hour for theirs.
  const h = useHarness({ retrySchedule: '50ms' });
  let folder: CountsFolder;
  let statistics: StatisticsService;
  let attempts: AttemptsService;
  let status: StatusService;
  const apps: string[] = [];
  const endpoints: { id: string; appId: string }[] = [];

  const query = <T>(sql: string, parameters: unknown[] = []): Promise<T[]> => h.homing.dataSource.query(sql, parameters);
  const unfolded = async () => Number((await query<{ n: string }>('SELECT COUNT(*) AS n FROM homing_count_changes'))[0].n);

  /** Each aggregate row plus its changes not folded yet, keyed as the rows themselves count it. */
  async function expectAggregatesEqualRows(): Promise<void> {
    const deliveries = await query<{ key: string; n: string }>(
      `SELECT CONCAT_WS(' ', endpointId, appId, ${hourOf('createdAt')}, ${COUNTED}) AS \`key\`, COUNT(*) AS n FROM homing_deliveries GROUP BY \`key\` ORDER BY \`key\``,
    );
    const deliveryCounts = await query<{ key: string; n: string }>(
      `SELECT \`key\`, SUM(n) AS n FROM (
         SELECT CONCAT_WS(' ', endpointId, appId, ${hourOf('hour')}, status) AS \`key\`, count AS n FROM homing_delivery_counts
         UNION ALL SELECT CONCAT_WS(' ', endpointId, appId, ${hourOf('bucket')}, status), delta FROM homing_count_changes WHERE kind = 'delivery'
       ) counted GROUP BY \`key\` HAVING n <> 0 ORDER BY \`key\``,
    );
    expect(deliveryCounts.map(({ key, n }) => [key, Number(n)])).toEqual(deliveries.map(({ key, n }) => [key, Number(n)]));
    // Attempts are counted twice: per five minutes and per hour.
    for (const [span, bucketOf] of [[5, fiveMinutesOf], [60, hourOf]] as const) {
      const attemptRows = await query<{ key: string; n: string }>(
        `SELECT CONCAT_WS(' ', a.appId, a.endpointId, COALESCE(m.eventType, ''), ${bucketOf('a.createdAt')}, a.status) AS \`key\`, COUNT(*) AS n
         FROM homing_attempts a LEFT JOIN homing_messages m ON m.id = a.msgId GROUP BY \`key\` ORDER BY \`key\``,
      );
      const attemptCounts = await query<{ key: string; n: string }>(
        `SELECT \`key\`, SUM(n) AS n FROM (
           SELECT CONCAT_WS(' ', appId, endpointId, eventType, ${bucketOf('bucket')}, status) AS \`key\`, count AS n FROM homing_attempt_counts WHERE span = ?
           UNION ALL SELECT CONCAT_WS(' ', appId, endpointId, eventType, ${bucketOf('bucket')}, status), delta FROM homing_count_changes WHERE kind = 'attempt'
         ) counted GROUP BY \`key\` HAVING n <> 0 ORDER BY \`key\``,
        [span],
      );
      expect(attemptCounts.map(({ key, n }) => [key, Number(n)]), `per ${span} minutes`).toEqual(attemptRows.map(({ key, n }) => [key, Number(n)]));
    }
  }

  /** What the services answer equals what counting the rows gives, for every application and endpoint. */
  async function expectAnswersEqualRows(): Promise<void> {
    const now = Date.now();
    const windows = [{}, { since: new Date(now - HOUR) }, { since: new Date(now - 3 * HOUR), until: new Date(now - 90 * 60_000) }];
    for (const endpoint of endpoints) {
      for (const window of windows) {
        const hours = widened(window, HOUR);
        const rows = await query<{ status: string; n: string }>(
          `SELECT status, COUNT(*) AS n FROM homing_deliveries WHERE endpointId = ?${hours ? ' AND createdAt >= ? AND createdAt < ?' : ''} GROUP BY status`,
          [endpoint.id, ...(hours ?? [])],
        );
        const [{ n: waiting }] = await query<{ n: string }>(
          "SELECT COUNT(*) AS n FROM homing_deliveries WHERE endpointId = ? AND status = 'pending' AND attempts > 0 AND `trigger` = 'scheduled'",
          [endpoint.id],
        );
        const [{ at }] = await query<{ at: Date | null }>("SELECT MIN(nextAttemptAt) AS at FROM homing_deliveries WHERE endpointId = ? AND status = 'pending'", [endpoint.id]);
        const expected = { pending: 0, sending: 0, success: 0, failed: 0, canceled: 0, waitingRetry: Number(waiting), nextAttemptAt: at };
        for (const row of rows) expected[row.status as 'pending'] = Number(row.n);
        expect(await attempts.endpointStats(endpoint.appId, endpoint.id, window), `${endpoint.id} ${JSON.stringify(window)}`).toMatchObject(expected);
      }
    }
    const since = new Date(now - 3 * HOUR);
    for (const appId of apps) {
      for (const filters of [{}, { eventTypes: ['order.paid'] }, ...endpoints.filter((endpoint) => endpoint.appId === appId).map((endpoint) => ({ endpointId: endpoint.id }))]) {
        for (const period of ['FiveMinutes', 'OneHour'] as const) {
        const series = await statistics.attemptSeries(appId, { since, period, ...filters });
        const rows = await query<{ period: string; status: 'success' | 'failed' | 'canceled'; n: string }>(
          `SELECT FLOOR(TIMESTAMPDIFF(SECOND, ?, a.createdAt) / ${period === 'OneHour' ? 3600 : 300}) AS period, a.status, COUNT(*) AS n FROM homing_attempts a JOIN homing_messages m ON m.id = a.msgId
           WHERE a.appId = ? AND a.createdAt >= ? AND a.createdAt < ?${'endpointId' in filters ? ' AND a.endpointId = ?' : ''}${'eventTypes' in filters ? ' AND m.eventType IN (?)' : ''}
           GROUP BY period, a.status`,
          [series.since, appId, series.since, series.until, ...Object.values(filters).flat()],
        );
        const expected = { success: series.success.map(() => 0), failure: series.failure.map(() => 0), canceled: series.canceled.map(() => 0) };
        for (const row of rows) expected[row.status === 'failed' ? 'failure' : row.status][Number(row.period)] += Number(row.n);
        expect({ success: series.success, failure: series.failure, canceled: series.canceled }, `${appId} ${period} ${JSON.stringify(filters)}`).toEqual(expected);
        }
      }
      // Five minutes at either end, whole hours inside.
      const totals = await statistics.attemptTotals(appId, { since: new Date(Math.floor(since.getTime() / FIVE_MINUTES) * FIVE_MINUTES + FIVE_MINUTES) });
      const byType = await query<{ eventType: string; status: string; n: string }>(
        'SELECT m.eventType, a.status, COUNT(*) AS n FROM homing_attempts a JOIN homing_messages m ON m.id = a.msgId WHERE a.appId = ? AND a.createdAt >= ? GROUP BY m.eventType, a.status',
        [appId, totals.since],
      );
      const expected: Record<string, Record<string, number>> = {};
      for (const row of byType) (expected[row.eventType] ??= { success: 0, failure: 0, canceled: 0 })[row.status === 'failed' ? 'failure' : row.status] = Number(row.n);
      expect(totals.byEventType, appId).toEqual(expected);
    }
    const usageSince = new Date(Math.floor((now - 2 * HOUR) / HOUR) * HOUR);
    const usage = await statistics.messageDestinations({ since: usageSince, until: new Date(now), appIds: apps });
    const destinations = await query<{ appId: string; n: string }>('SELECT appId, COUNT(*) AS n FROM homing_deliveries WHERE createdAt >= ? GROUP BY appId', [usageSince]);
    expect(Object.fromEntries(usage.map((app) => [app.appId, app.messageDestinations]))).toEqual(
      Object.fromEntries(apps.map((appId) => [appId, Number(destinations.find((row) => row.appId === appId)?.n ?? 0)])),
    );
    const [{ n: owed }] = await query<{ n: string }>("SELECT COUNT(*) AS n FROM homing_deliveries WHERE status IN ('pending', 'sending')");
    expect(await status.owedDeliveries()).toBe(Number(owed));
  }

  /** Whether nothing is being sent or is due now: the rows hold still while they are compared. */
  async function settled(): Promise<void> {
    await vi.waitFor(async () => {
      const [{ n }] = await query<{ n: string }>(
        "SELECT COUNT(*) AS n FROM homing_deliveries WHERE status = 'sending' OR (status = 'pending' AND nextAttemptAt < NOW(3) + INTERVAL 10 MINUTE)",
      );
      expect(Number(n)).toBe(0);
    }, WAIT);
  }

  beforeAll(async () => {
    folder = h.homing.app.get(CountsFolder);
    // The test folds by hand: stopped, the periodic fold leaves every change in the log until it does.
    await folder.onApplicationShutdown();
    statistics = h.homing.app.get(StatisticsService);
    attempts = h.homing.app.get(AttemptsService);
    status = h.homing.app.get(StatusService);
    h.receiver.answer((request, response) => void response.writeHead(request.path.startsWith('/fail') ? 500 : 200).end());
    await h.homing.eventTypes.create({ name: 'slow.retry', description: 'retried an hour later' });
    await h.homing.eventTypes.setRetrySchedule('slow.retry', ['1h']);
  });

  it('equals counting the rows after successes, retries, failures, a resend, a recover, a cancel, an earlier hour and a deleted endpoint, before and after folding', async () => {
    for (const name of ['Counts A', 'Counts B']) {
      const app = await h.homing.applications.create({ name });
      apps.push(app.id);
      for (const path of ['/ok', '/fail', '/fail-gone']) endpoints.push({ id: (await h.homing.endpoints.create(app.id, { url: h.receiver.url(`${path}-${apps.length}`) })).id, appId: app.id });
    }
    const [appA, appB] = apps;
    const sent = [];
    for (const [appId, eventType] of [[appA, 'order.paid'], [appA, 'user.created'], [appA, 'order.paid'], [appB, 'order.paid'], [appA, 'slow.retry'], [appB, 'slow.retry']]) {
      sent.push(await h.homing.producer.send(appId, { eventType, payload: { eventType } }));
    }
    // Due in an hour, then cancelled: one cancelled attempt per delivery.
    await h.homing.producer.send(appA, { eventType: 'order.paid', payload: {}, deliverAt: new Date(Date.now() + HOUR) });
    await settled();
    await h.homing.recovery.cancel(appA, endpoints[0].id, new Date(Date.now() + 60_000));
    await h.homing.recovery.cancel(appA, endpoints[1].id, new Date(Date.now() + 60_000));

    // A failed delivery resent, the other failed ones of B's endpoint recovered: to a receiver that still fails.
    const failedA = endpoints[1];
    await h.homing.recovery.resend(appA, sent[0].id, failedA.id);
    await h.homing.recovery.recover(appB, endpoints[4].id, new Date(Date.now() - HOUR));
    await settled();

    // Messages of an earlier hour: their deliveries and attempts moved back in time (the triggers count an UPDATE of the key too).
    const earlier = [sent[1].id, sent[3].id];
    await query('UPDATE homing_deliveries SET createdAt = createdAt - INTERVAL 2 HOUR WHERE msgId IN (?)', [earlier]);
    await query('UPDATE homing_attempts SET createdAt = createdAt - INTERVAL 2 HOUR WHERE msgId IN (?)', [earlier]);

    expect(await unfolded()).toBeGreaterThan(0);
    await expectAggregatesEqualRows();
    await expectAnswersEqualRows();

    expect(await folder.foldAll()).toBeGreaterThan(0);
    expect(await unfolded()).toBe(0);
    await expectAggregatesEqualRows();
    await expectAnswersEqualRows();

    // An endpoint deleted with its deliveries and attempts: counted away, unfolded, then folded.
    const [gone] = endpoints.splice(2, 1);
    await h.homing.endpoints.delete(gone.appId, gone.id);
    expect(await unfolded()).toBeGreaterThan(0);
    await expectAggregatesEqualRows();
    await expectAnswersEqualRows();
    await folder.foldAll();
    await expectAggregatesEqualRows();
    await expectAnswersEqualRows();
    // Counts that fell to 0 leave no row behind.
    for (const table of ['homing_delivery_counts', 'homing_attempt_counts']) expect(await query(`SELECT * FROM ${table} WHERE endpointId = ? OR count = 0`, [gone.id])).toEqual([]);
  });

  it('counts the rows already there when it is added to a database (the migration undone and run again)', async () => {
    await settled();
    const counts = HOMING_MIGRATIONS.find((migration) => migration.name.startsWith('AddStatisticsCounts')) as (typeof HOMING_MIGRATIONS)[number] & { countRangeRows: number };
    const runner = h.homing.dataSource.createQueryRunner();
    // Ranges of 2 rows: groups straddle them, and a message has more deliveries (3) than a range holds.
    const { countRangeRows } = counts;
    counts.countRangeRows = 2;
    try {
      await new counts().down(runner);
      await new counts().up(runner);
    } finally {
      counts.countRangeRows = countRangeRows;
      await runner.release();
    }
    expect(await unfolded()).toBe(0);
    await expectAggregatesEqualRows();
    await expectAnswersEqualRows();
  });

  it('is not held up by a host transaction that wrote a delivery and stays open: the folder folds the rest, a worker delivers meanwhile', async () => {
    const { id: appA } = await h.homing.applications.create({ name: 'Host transaction' });
    const ok = { id: (await h.homing.endpoints.create(appA, { url: h.receiver.url('/ok-host') })).id, appId: appA };
    apps.push(appA);
    endpoints.push(ok);
    const host = h.homing.dataSource.createQueryRunner();
    await host.connect();
    await host.startTransaction();
    try {
      const held = await h.homing.producer.send(appA, { eventType: 'order.paid', payload: { held: true } }, { manager: host.manager });
      // Meanwhile: a message sent outside it is delivered (claimed, attempted, recorded), and the folder folds it.
      const free = await h.homing.producer.send(appA, { eventType: 'order.paid', payload: { held: false } });
      await h.settled(free.id, ok.id, 'success');
      // The host transaction's change row is skipped (SKIP LOCKED), not waited for; every other one is folded.
      expect(await folder.foldAll()).toBeGreaterThan(0);
      expect(await unfolded()).toBe(0);
      // Reads do not wait for it either, and do not see it yet.
      expect((await attempts.endpointStats(appA, ok.id)).pending).toBe(0);
      await host.commitTransaction();
      // Committed, its change shows, to the next fold and to reads.
      expect(await unfolded()).toBeGreaterThanOrEqual(1);
      await h.settled(held.id, ok.id, 'success');
    } finally {
      if (host.isTransactionActive) await host.rollbackTransaction();
      await host.release();
    }
    await settled();
    await expectAggregatesEqualRows();
    await folder.foldAll();
    expect(await unfolded()).toBe(0);
    await expectAggregatesEqualRows();
    await expectAnswersEqualRows();
  });
});

/** The window endpointStats counts: widened to whole hours, until no later than now; null for no window. */
function widened(window: { since?: Date; until?: Date }, step: number): [Date, Date] | null {
  if (!window.since && !window.until) return null;
  const until = Math.min(window.until?.getTime() ?? Date.now(), Date.now());
  return [new Date(Math.floor((window.since?.getTime() ?? 0) / step) * step), new Date(Math.ceil(until / step) * step)];
}
