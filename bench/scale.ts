/**
 * `npm run bench:scale` (issue 17): does Homing keep its pace with a big history? The same dispatcher
 * process and sink as `npm run bench`, measured first on empty tables and then with millions of rows
 * seeded by bulk SQL (scale-seed.ts): delivery throughput, the API's list operations, a sweep pass, Redis
 * memory with a retry backlog, draining an endpoint's backlog, and deleting a day of expired rows.
 * Prints a table of each figure beside its empty-table counterpart and writes bench/scale-results.json.
 * BENCH_SCALE (default 1) scales every row count; use 0.01–0.05 while developing. To study the drain on
 * a small history: BENCH_BACKLOG (its deliveries) and BENCH_STEADY_SECONDS (the steady stream's length).
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { Redis } from 'ioredis';
import { HOMING_MIGRATIONS } from '@homing/webhooks';
import { DeliveryQueue, DeliverySweeper, PayloadRetentionService } from '@homing/webhooks/internal';
import type { MigrationInterface } from 'typeorm';
import { ROOT, Sink } from './processes.js';
import { wallClock } from './protocol.js';
import { formatTable, median, percentile, type Figure } from './report.js';
import { fixedIdSql, idSql, leastIdSince, Seeder, timeSql, type FillRange } from './scale-seed.js';
import {
  awaitAttempts,
  createApp,
  env,
  EVENT_TYPE,
  latencies,
  latencyRun,
  log,
  MYSQL_URL,
  REDIS_URL,
  sendAtRate,
  throughputRun,
  withBench,
  type Bench,
  type BenchApp,
  type Latencies,
  type Producer,
} from './session.js';

const SCALE = env('BENCH_SCALE', 1);
/** The dispatcher's HOMING_PROCESSES: its default (a process per core) unless BENCH_PROCESSES says. */
const PROCESSES = env('BENCH_PROCESSES', os.availableParallelism());
/** Whole blocks of ten deliveries (the attempt pattern's unit). */
const tens = (count: number) => Math.max(10, Math.round(count / 10) * 10);
const sized = (count: number) => tens(count * SCALE);
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Messages of the history, one delivery each, two attempts a delivery on average (issue 17's sizes). */
const HISTORY = sized(5_000_000);
/** Every 5th message of the history goes to the measured endpoint: a fifth of the rows, 1M deliveries and 2M attempts. */
const MEASURED_EVERY = 5;
/**
 * The rest go to this many other applications, one endpoint each (a prime, so message numbers cycle through
 * all). More make the statistics backfill slower (a group per endpoint and 5 minutes): 499 took 44 s where 97 took 35 s at BENCH_SCALE=0.2.
 */
const OTHER_APPS = 97;
/** Deliveries waiting on a retry due in the next hours (figure 2). */
const WAITING = sized(1_000_000);
/** Deliveries due while their endpoint was down (figure 3). */
const BACKLOG = env('BENCH_BACKLOG', sized(200_000));
/** One day of the history's rows, older than the retention (figure 4). */
const RETENTION_DAY = tens(HISTORY / 90);
/** Throughput runs on each side; the figure is their median (one run of 10,000 swung from 0.74 to 0.87 of empty between two full runs). */
const THROUGHPUT_RUNS = env('BENCH_RUNS', 3);
/** Messages per throughput run. */
const MESSAGES = env('BENCH_MESSAGES', Math.max(2_000, Math.round(10_000 * SCALE)));
/** A run before them, not counted, on each side. */
const WARM_UP_MESSAGES = 2_000;
const CONCURRENCY = 50;
const REQUEST_TIMEOUT_MS = 2_000;
const LIST_REQUESTS = env('BENCH_LIST_REQUESTS', 200);
const SWEEPS = 20;
/**
 * The modest stream beside the backlog, and how long it runs: 1,000 latencies a phase by default, so its
 * p99 is the tenth worst, not the fourth (at 20/s two runs of the same code gave 1.64x and 2.76x).
 */
const STEADY_PER_SECOND = 50;
const STEADY_SECONDS = env('BENCH_STEADY_SECONDS', 20);
/**
 * How long the backlog is given to drain: what it takes at the lowest rate the target accepts (0.8 of
 * throughput at size), and a tenth more. A drain still going then has missed the target anyway; one that
 * meets it is never cut short. BENCH_DRAIN_CAP_SECONDS sets it instead.
 */
const DRAIN_TARGET = 0.8;
const drainCapMs = (normalRate: number) => env('BENCH_DRAIN_CAP_SECONDS', Math.ceil((1.1 * BACKLOG) / (DRAIN_TARGET * normalRate))) * 1000;
/** How long Redis' memory is watched after the retry backlog is queued (and all through the drain). */
const REDIS_WATCH_MS = 10_000;
const RETENTION_DAYS = 90;
/** One retention call deletes the whole expired day (a pass of the service stops after 10 s). */
const RETENTION_BUDGET_MS = 600_000;
/** Attempts per delivery in a block of ten (40 % one, 30 % two, 20 % three, 10 % four: two on average). */
const ATTEMPT_COUNTS = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4];
/** When each attempt is made after its message, as the default retry schedule spaces them. */
const ATTEMPT_OFFSETS_MS = [200, 5_200, 305_200, 2_105_200];

/** The app beside the drain, with its own receiver. */
type SteadyApp = BenchApp & { sink: Sink };

interface AtSize {
  throughput: number;
  lists: Record<ListKey, { 50: number; 99: number }>;
  sweep: { 50: number; max: number };
}
type ListKey = 'messages' | 'attemptsByEndpoint' | 'attemptsByMessage' | 'endpointStats';
const LISTS: Record<ListKey, string> = {
  messages: 'List messages (GET /app/{app}/msg)',
  attemptsByEndpoint: 'List attempts by endpoint (/attempt/endpoint/{ep})',
  attemptsByMessage: 'List attempts by message (/attempt/msg/{msg})',
  endpointStats: 'Endpoint stats (/endpoint/{ep}/stats)',
};

async function main(): Promise<void> {
  const started = Date.now();
  log(`scale ${SCALE}: history ${HISTORY} messages and deliveries, ${2 * HISTORY} attempts; ${WAITING} waiting, ${BACKLOG} backlog, ${RETENTION_DAY} a day`);
  const settle = (bench: Bench, count: number, appId: string, since: Date) => awaitAttempts(bench, count, 300_000, { appId, since });
  // As in run.ts: BENCH_PROFILE=1 writes the dispatcher's CPU profiles (one per start) to bench/profiles.
  const nodeArgs = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${ROOT}bench/profiles`] : [];
  const dispatcherEnv = { HOMING_PROCESSES: String(PROCESSES) };
  await withBench({ name: 'scale', concurrency: CONCURRENCY, requestTimeoutMs: REQUEST_TIMEOUT_MS, settle, nodeArgs, dispatcherEnv }, async (bench) => {
    const redis = new Redis(REDIS_URL);
    try {
      const figures = await measure(bench, redis);
      const conditions = {
        date: new Date(started).toISOString(),
        scale: SCALE,
        processes: PROCESSES,
        rows: { messages: HISTORY, deliveries: HISTORY, attempts: 2 * HISTORY, waiting: WAITING, backlog: BACKLOG, retentionDay: RETENTION_DAY },
        ...seedingConditions,
        node: process.version,
        cpus: os.cpus().length,
        throughputMessages: MESSAGES,
        throughputRuns: THROUGHPUT_RUNS,
        concurrency: CONCURRENCY,
        listRequests: LIST_REQUESTS,
        loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
        durationSeconds: Math.round((Date.now() - started) / 1000),
      };
      console.log(formatTable(figures, conditions, { figure: 'figure', counterpart: 'empty tables', ratio: 'vs empty' }));
      await writeFile(`${ROOT}bench/scale-results.json`, `${JSON.stringify({ conditions, figures }, null, 2)}\n`);
    } finally {
      redis.disconnect();
    }
  });
}

/** Filled in by `seed`, printed with the conditions. */
const seedingConditions: Record<string, number> = {};

async function measure(bench: Bench, redis: Redis): Promise<Figure[]> {
  // The steady endpoint is another customer's server: a receiver process of its own, so its arrivals are
  // not stamped behind the backlog's thousand requests a second in the bench's sink.
  const steadySink = await Sink.start(bench.secret);
  try {
    return await measureWith(bench, redis, steadySink);
  } finally {
    steadySink.stop();
  }
}

async function measureWith(bench: Bench, redis: Redis, steadySink: Sink): Promise<Figure[]> {
  const { sink } = bench;
  const producer = bench.producers.find((candidate) => candidate.name === 'library')!;
  const api = bench.producers.find((candidate) => candidate.name === 'API')!;
  const measured = await createApp(bench, 'measured', [sink.url('ok', 0)]);
  const steady = { ...(await createApp(bench, 'steady', [steadySink.url('ok', 1)])), sink: steadySink };
  const backlog = await createApp(bench, 'backlog', [sink.url('ok', 2)]);
  const retention = bench.library.get(PayloadRetentionService);

  // Redis is shared (other test runs use it too): its memory is read as the change from here, the most seen while watched.
  const redisBefore = await usedMemoryMb(redis);
  log('empty tables');
  const emptyWatch = watchMemory(redis);
  const empty = await atSize(bench, producer, measured);
  const steadyEmpty = await steadyAlone(bench, api, steady);
  const redisEmpty = (await emptyWatch.stop()) - redisBefore;
  const retentionEmpty = await timed(() => retention.deleteExpiredRows(new Date(), { budgetMs: RETENTION_BUDGET_MS }));

  const seeded = await seed(bench, measured, backlog);
  try {
    log('at size');
    const full = await atSize(bench, producer, measured);
    const steadyFull = await steadyAlone(bench, api, steady);
    const figures = flatCost(full, empty);

    log(`Redis: ${WAITING} deliveries waiting on a retry, queued as the library queues a retry`);
    const watch = watchMemory(redis);
    await queueWaiting(bench, seeded.waiting);
    await new Promise((resolve) => setTimeout(resolve, REDIS_WATCH_MS));
    log(`  Redis used_memory ${(await usedMemoryMb(redis)).toFixed(1)} MB (before: ${redisBefore.toFixed(1)} MB)`);

    log(`drain: ${BACKLOG} due deliveries to one endpoint, ${STEADY_PER_SECOND}/s to another`);
    const drain = await drainRun(bench, seeded, api, steady, backlog, drainCapMs(full.throughput));
    const redisPeak = await watch.stop();
    const redisDelta = redisPeak - redisBefore;
    figures.push({
      key: 'redisMemory',
      label: `Redis used_memory, ${WAITING.toLocaleString('en-US')} deliveries waiting on retries, while queued and through the drain (peak − before; counterpart: the empty-table runs)`,
      value: redisDelta,
      unit: 'MB',
      counterpart: redisEmpty,
      target: '< 64 MB',
      met: redisDelta < 64,
    });
    figures.push(...drainFigures(drain, full.throughput, steadyFull, steadyEmpty));

    figures.push(await retentionFigure(retention, retentionEmpty));
    return figures;
  } finally {
    await seeded.seeder.close();
  }
}

/** Throughput to the measured endpoint, its lists at p50/p99 and sweep passes: what figure 1 compares. */
async function atSize(bench: Bench, producer: Producer, app: BenchApp): Promise<AtSize> {
  log(`  throughput: ${THROUGHPUT_RUNS} runs of ${MESSAGES} messages via the ${producer.name} to 1 endpoint, after ${WARM_UP_MESSAGES} not counted`);
  // The dispatcher has just (re)started on both sides: the first run was the slowest of three on each.
  await throughputRun(bench, producer, app, WARM_UP_MESSAGES);
  const runs: number[] = [];
  for (let run = 0; run < THROUGHPUT_RUNS; run++) runs.push(await throughputRun(bench, producer, app, MESSAGES));
  const throughput = median(runs);
  log(`    ${runs.map(Math.round).join(', ')} deliveries/s: median ${Math.round(throughput)}`);
  const messageIds = await sampleMessages(bench, app.id);
  const endpointId = app.endpointIds[0];
  const paths: Record<ListKey, (i: number) => string> = {
    messages: () => `/app/${app.id}/msg/`,
    attemptsByEndpoint: () => `/app/${app.id}/attempt/endpoint/${endpointId}/`,
    attemptsByMessage: (i) => `/app/${app.id}/attempt/msg/${messageIds[i % messageIds.length]}/`,
    endpointStats: () => `/app/${app.id}/endpoint/${endpointId}/stats/`,
  };
  const lists = {} as AtSize['lists'];
  for (const key of Object.keys(paths) as ListKey[]) {
    const times: number[] = [];
    for (let i = 0; i < LIST_REQUESTS; i++) {
      const at = wallClock();
      await bench.api.get(paths[key](i));
      times.push(wallClock() - at);
    }
    times.sort((a, b) => a - b);
    lists[key] = { 50: percentile(times, 50), 99: percentile(times, 99) };
    log(`    ${key}: p50 ${lists[key][50].toFixed(1)} ms, p99 ${lists[key][99].toFixed(1)} ms`);
  }
  const sweeper = bench.library.get(DeliverySweeper);
  const sweeps: number[] = [];
  for (let i = 0; i < SWEEPS; i++) sweeps.push(await timed(() => sweeper.sweep()));
  const sweep = { 50: median(sweeps), max: Math.max(...sweeps) };
  log(`    sweep: p50 ${sweep[50].toFixed(1)} ms, max ${sweep.max.toFixed(1)} ms`);
  return { throughput, lists, sweep };
}

/** Ids of the app's messages at random points of its history, for the by-message listing. */
async function sampleMessages(bench: Bench, appId: string): Promise<string[]> {
  const [{ first, last }] = (await bench.dataSource.query('SELECT MIN(createdAt) AS first, MAX(createdAt) AS last FROM homing_messages WHERE appId = ?', [appId])) as {
    first: Date;
    last: Date;
  }[];
  const ids: string[] = [];
  for (let i = 0; i < LIST_REQUESTS; i++) {
    const at = new Date(first.getTime() + Math.random() * (last.getTime() - first.getTime()));
    const rows = (await bench.dataSource.query('SELECT id FROM homing_messages WHERE appId = ? AND createdAt >= ? ORDER BY createdAt LIMIT 1', [appId, at])) as { id: string }[];
    if (rows[0]) ids.push(rows[0].id);
  }
  return ids;
}

function flatCost(full: AtSize, empty: AtSize): Figure[] {
  const ratio = full.throughput / empty.throughput;
  const figures: Figure[] = [
    {
      key: 'throughput',
      label: `Throughput, library producer, 1 endpoint, every attempt recorded, median of ${THROUGHPUT_RUNS} runs (${(2 * HISTORY).toLocaleString('en-US')} attempts in the tables)`,
      value: full.throughput,
      unit: 'deliveries/s',
      counterpart: empty.throughput,
      ratio,
      target: 'ratio ≥ 0.8',
      met: ratio >= 0.8,
    },
  ];
  for (const key of Object.keys(LISTS) as ListKey[]) {
    for (const p of [50, 99] as const) {
      figures.push({
        key: `${key}_p${p}`,
        label: `${LISTS[key]} p${p}`,
        value: full.lists[key][p],
        unit: 'ms',
        counterpart: empty.lists[key][p],
        ...(p === 99 ? { target: '≤ 50 ms', met: full.lists[key][p] <= 50 } : {}),
      });
    }
  }
  figures.push({
    key: 'sweep',
    label: `Sweep pass (DeliverySweeper.sweep, in process), max of ${SWEEPS}`,
    value: full.sweep.max,
    unit: 'ms',
    note: `p50 ${full.sweep[50].toFixed(1)}`,
    counterpart: empty.sweep.max,
    target: '< 100 ms',
    met: full.sweep.max < 100,
  });
  return figures;
}

/** Rows created evenly over [from, to]: message numbers first…first + count - 1. */
interface RowSet extends FillRange {
  from: number;
  to: number;
}

/** What `seed` made that the later phases need. */
interface Seeded {
  seeder: Seeder;
  waiting: RowSet;
  backlog: RowSet;
}

/** SQL: when row `i` (0-based within `set`) was created, in ms. */
const timeOf = (set: RowSet, i: string) => `${set.from} + (${i}) * ${set.to - set.from} DIV ${set.count}`;
/** A block of ten deliveries: attempt counts from ATTEMPT_COUNTS; a fifth of the blocks' four-attempt delivery failed (2 %). */
const failedDelivery = (i: string) => `((${i}) % 10 = 9 AND (${i}) DIV 10 % 5 = 0)`;
const countOf = (i: string) => `ELT((${i}) % 10 + 1, ${ATTEMPT_COUNTS.join(', ')})`;
const offsetOf = (attempt: string) => `ELT(${attempt}, ${ATTEMPT_OFFSETS_MS.join(', ')})`;
/** Attempts per block of ten deliveries, and which delivery and attempt each place of a block is. */
const PATTERN = ATTEMPT_COUNTS.flatMap((count, delivery) => Array.from({ length: count }, (_, attempt) => [delivery, attempt + 1, attempt + 1 === count ? 1 : 0]));

/**
 * The rows, by bulk SQL, for the measured endpoint and `OTHER_APPS` others: HISTORY messages over the last
 * 90 days with their deliveries and attempts, a day of them older than the retention, WAITING deliveries
 * waiting on a retry, and BACKLOG messages (with their failed first attempt) whose deliveries `drainRun`
 * inserts when it starts.
 */
async function seed(bench: Bench, measured: BenchApp, backlog: BenchApp): Promise<Seeded> {
  const now = Date.now();
  const othersAt = now - (RETENTION_DAYS + 3) * DAY_MS;
  const seeder = await Seeder.open(`${MYSQL_URL}/${bench.database}`, 2, othersAt, now + 8 * HOUR_MS);
  const started = Date.now();
  const newOtherId = (prefix: string) => fixedIdSql(prefix, othersAt, 'seq');
  await copyRows(seeder, 'homing_applications', measured.id, { id: newOtherId('app'), uid: 'NULL', name: "CONCAT('scale other ', seq)" });
  await copyRows(seeder, 'homing_endpoints', measured.endpointIds[0], { id: newOtherId('ep'), appId: newOtherId('app'), uid: 'NULL' });
  // Looked up rather than computed per row (MariaDB caches a subquery's answer per k).
  await seeder.query('CREATE TABLE scale_others (k INT NOT NULL PRIMARY KEY, app VARCHAR(40) NOT NULL, ep VARCHAR(40) NOT NULL)');
  await seeder.query(`INSERT INTO scale_others (k, app, ep) SELECT seq, ${newOtherId('app')}, ${newOtherId('ep')} FROM seq_0_to_${OTHER_APPS - 1}`);
  const otherId = (prefix: 'app' | 'ep', n: string) => `(SELECT ${prefix} FROM scale_others WHERE k = (${n}) % ${OTHER_APPS})`;

  // Message n of the history: every MEASURED_EVERY-th to the measured endpoint, the others round the other apps.
  const historyRoute = (n: string) => ({
    appId: `IF((${n}) % ${MEASURED_EVERY} = 0, '${measured.id}', ${otherId('app', n)})`,
    endpointId: `IF((${n}) % ${MEASURED_EVERY} = 0, '${measured.endpointIds[0]}', ${otherId('ep', n)})`,
  });
  const history: RowSet = { first: 1, count: HISTORY, from: now - RETENTION_DAYS * DAY_MS, to: now - 2 * HOUR_MS };
  const expired: RowSet = { first: history.first + history.count, count: RETENTION_DAY, from: now - (RETENTION_DAYS + 2) * DAY_MS, to: now - (RETENTION_DAYS + 1) * DAY_MS };
  const waiting: RowSet = { first: expired.first + expired.count, count: WAITING, from: now - 90 * 60_000, to: now - 60 * 60_000 };
  const backlogSet: RowSet = { first: waiting.first + waiting.count, count: BACKLOG, from: now - 60 * 60_000, to: now - 30 * 60_000 };
  const backlogRoute = () => ({ appId: `'${backlog.id}'`, endpointId: `'${backlog.endpointIds[0]}'` });
  const waitingRoute = (n: string) => ({ appId: otherId('app', n), endpointId: otherId('ep', n) });

  const messages = (set: RowSet, route: typeof historyRoute, purged = false) => (connection: number) =>
    seeder.fill(
      'homing_messages',
      set,
      {
        id: idSql('msg', timeOf(set, `n - ${set.first}`), 'n'),
        appId: route('n').appId,
        eventType: `'${EVENT_TYPE}'`,
        payload: `CONCAT('{"type":"${EVENT_TYPE}","n":', n, '}')`,
        // Payloads are kept 90 days; an expired day's were purged already, as the purge does.
        payloadExpiresAt: purged ? 'NULL' : timeSql(`${timeOf(set, `n - ${set.first}`)} + ${RETENTION_DAYS * DAY_MS}`),
        payloadPurgedAt: purged ? timeSql(`${timeOf(set, `n - ${set.first}`)} + ${RETENTION_DAYS * DAY_MS}`) : 'NULL',
        createdAt: timeSql(timeOf(set, `n - ${set.first}`)),
      },
      { connection },
    );
  const finishedDeliveries = (set: RowSet) => (connection: number) => {
    const i = `n - ${set.first}`;
    return seeder.fill(
      'homing_deliveries',
      set,
      {
        ...deliveryKey(set, historyRoute),
        status: `IF(${failedDelivery(i)}, 'failed', 'success')`,
        attempts: countOf(i),
        scheduleStep: countOf(i),
        trigger: "'scheduled'",
        createdAt: timeSql(timeOf(set, i)),
        updatedAt: timeSql(`${timeOf(set, i)} + ${offsetOf(countOf(i))}`),
      },
      { connection },
    );
  };
  // Attempt j of a set: its block of ten deliveries, then which delivery and which of its attempts (scale_pattern p).
  const attempts = (set: RowSet, attemptsFirst: number, part: FillRange, route: typeof historyRoute) => (connection: number) => {
    const i = `((n - ${attemptsFirst}) DIV ${PATTERN.length} * 10 + p.delivery)`;
    const n = `(${i} + ${set.first})`;
    const success = `(p.last = 1 AND NOT ${failedDelivery(i)})`;
    const at = `${timeOf(set, i)} + ${offsetOf('p.attempt')}`;
    return seeder.fill(
      'homing_attempts',
      part,
      {
        id: idSql('atmpt', at, 'n'),
        msgId: idSql('msg', timeOf(set, i), n),
        endpointId: route(n).endpointId,
        appId: route(n).appId,
        url: "'https://receiver.example/webhooks'",
        status: `IF(${success}, 'success', 'failed')`,
        responseStatusCode: `IF(${success}, 200, 503)`,
        response: `IF(${success}, 'ok', 'Service Unavailable')`,
        responseDurationMs: '20 + n % 80',
        trigger: "'scheduled'",
        createdAt: timeSql(at),
      },
      { connection, join: `JOIN scale_pattern p ON p.o = (r.n - ${attemptsFirst}) % ${PATTERN.length}` },
    );
  };
  await seeder.query('CREATE TABLE scale_pattern (o TINYINT NOT NULL PRIMARY KEY, delivery TINYINT NOT NULL, attempt TINYINT NOT NULL, last TINYINT NOT NULL)');
  await seeder.query('INSERT INTO scale_pattern (o, delivery, attempt, last) VALUES ?', [PATTERN.map((row, o) => [o, ...row])]);
  // Attempt numbers: the history's two a delivery, then the expired day's, then one for each backlog delivery.
  const historyAttempts = (history.count / 10) * PATTERN.length;
  const half = Math.ceil(historyAttempts / 2 / PATTERN.length) * PATTERN.length;
  const expiredFirst = 1 + historyAttempts;
  const backlogFirst = expiredFirst + (expired.count / 10) * PATTERN.length;
  const timers: Record<string, number> = {};
  const timed = (name: string, fill: (connection: number) => Promise<void>) => async (connection: number) => {
    const at = Date.now();
    await fill(connection);
    timers[name] = (timers[name] ?? 0) + (Date.now() - at) / 1000;
    log(`  seeded ${name} in ${((Date.now() - at) / 1000).toFixed(1)} s`);
  };
  // The statistics counts' triggers would log every seeded row for the dispatcher to fold (minutes of it
  // at full size, during the measurements). A big database gets its counts as an upgrade does instead:
  // the counts' migration is undone, the rows seeded, and the migration run again (its backfill counts them).
  const counts = statisticsCountsMigration();
  const runner = bench.dataSource.createQueryRunner();
  // Stopped meanwhile: its sweeper and folder would read tables without their indexes, and take CPU from the seeding.
  await bench.dispatcher.stop();
  await counts.down(runner);
  log(`seeding (2 connections)`);
  const tables = ['homing_messages', 'homing_deliveries', 'homing_attempts'];
  const building = await seeder.withoutSecondaryIndexes(tables, () => seeder.parallel([
    timed('attempts', attempts(history, 1, { first: 1, count: half }, historyRoute)),
    timed('attempts', attempts(history, 1, { first: 1 + half, count: historyAttempts - half }, historyRoute)),
    timed('messages', messages(history, historyRoute)),
    timed('deliveries', finishedDeliveries(history)),
    timed('expired day', messages(expired, historyRoute, true)),
    timed('expired day', finishedDeliveries(expired)),
    timed('expired day', attempts(expired, expiredFirst, { first: expiredFirst, count: (expired.count / 10) * PATTERN.length }, historyRoute)),
    timed('waiting', messages(waiting, waitingRoute)),
    timed('waiting', waitingDeliveries(seeder, waiting, waitingRoute, now)),
    timed('backlog', messages(backlogSet, backlogRoute)),
    // Its first attempt failed (the endpoint was down): one attempt a delivery.
    timed('backlog', (connection) =>
      seeder.fill(
        'homing_attempts',
        { first: backlogFirst, count: backlogSet.count },
        {
          id: idSql('atmpt', `${timeOf(backlogSet, `n - ${backlogFirst}`)} + ${ATTEMPT_OFFSETS_MS[0]}`, 'n'),
          msgId: idSql('msg', timeOf(backlogSet, `n - ${backlogFirst}`), `n - ${backlogFirst} + ${backlogSet.first}`),
          endpointId: backlogRoute().endpointId,
          appId: backlogRoute().appId,
          url: `'${bench.sink.url('ok', 2)}'`,
          status: "'failed'",
          responseStatusCode: '0',
          response: "'connect ECONNREFUSED'",
          responseDurationMs: '1',
          trigger: "'scheduled'",
          createdAt: timeSql(`${timeOf(backlogSet, `n - ${backlogFirst}`)} + ${ATTEMPT_OFFSETS_MS[0]}`),
        },
        { connection },
      ),
    ),
  ]));
  seedingConditions['index builds s'] = Math.round(building * 10) / 10;
  for (const [name, seconds] of Object.entries(timers)) seedingConditions[`seed ${name} s`] = Math.round(seconds * 10) / 10;
  seedingConditions['seeding wall s'] = Math.round((Date.now() - started) / 100) / 10;
  log(`seeded in ${seedingConditions['seeding wall s']} s; counting them into the statistics (the counts' migration)`);
  const counting = Date.now();
  await counts.up(runner);
  await runner.release();
  seedingConditions['statistics backfill s'] = Math.round((Date.now() - counting) / 100) / 10;
  log(`  counted in ${seedingConditions['statistics backfill s']} s (indexes built in ${seedingConditions['index builds s']} s)`);
  await seeder.query('ANALYZE TABLE homing_messages, homing_deliveries, homing_attempts');
  await bench.dispatcher.restart();
  return { seeder, waiting, backlog: backlogSet };
}

/** The migration that adds the statistics counts (triggers and aggregates), from the library's list. */
function statisticsCountsMigration(): MigrationInterface {
  const migration = HOMING_MIGRATIONS.find((candidate) => candidate.name.startsWith('AddStatisticsCounts'));
  if (!migration) throw new Error('no AddStatisticsCounts migration in HOMING_MIGRATIONS: see how the statistics count rows now');
  return new migration();
}

/** SQL of a delivery's key (message id, endpoint, app) for message number n of `set`. */
function deliveryKey(set: RowSet, route: (n: string) => { appId: string; endpointId: string }): Record<string, string> {
  return { msgId: idSql('msg', timeOf(set, `n - ${set.first}`), 'n'), endpointId: route('n').endpointId, appId: route('n').appId };
}

/** Pending deliveries that failed 1 to 3 times, their next attempt due over the 6 hours after the next one. */
function waitingDeliveries(seeder: Seeder, set: RowSet, route: (n: string) => { appId: string; endpointId: string }, now: number) {
  const i = `n - ${set.first}`;
  return (connection: number) =>
    seeder.fill(
      'homing_deliveries',
      set,
      {
        ...deliveryKey(set, route),
        status: "'pending'",
        attempts: `1 + (${i}) % 3`,
        scheduleStep: `1 + (${i}) % 3`,
        trigger: "'scheduled'",
        nextAttemptAt: timeSql(`${now + HOUR_MS} + (${i}) * ${6 * HOUR_MS} DIV ${set.count}`),
        createdAt: timeSql(timeOf(set, i)),
        updatedAt: timeSql(`${timeOf(set, i)} + ${ATTEMPT_OFFSETS_MS[0]}`),
      },
      { connection },
    );
}

/** Copies the row `id` of `table` once per other app (`seq` 0…OTHER_APPS-1), with `replaced` columns. */
async function copyRows(seeder: Seeder, table: string, id: string, replaced: Record<string, string>): Promise<void> {
  const columns = await seeder.columns(table);
  const values = columns.map((column) => replaced[column] ?? `t.\`${column}\``);
  await seeder.query(
    `INSERT INTO \`${table}\` (${columns.map((column) => `\`${column}\``).join(', ')}) SELECT ${values.join(', ')} FROM \`${table}\` t JOIN seq_0_to_${OTHER_APPS - 1} WHERE t.id = ?`,
    [id],
  );
}

/** Queues the waiting deliveries as the library queues a retry (DeliveryQueue.enqueue with its due time): Redis holds whatever it keeps for them. */
async function queueWaiting(bench: Bench, waiting: RowSet): Promise<void> {
  const queue = bench.library.get(DeliveryQueue);
  let after = leastIdSince('msg', waiting.from);
  let queued = 0;
  for (;;) {
    const rows = (await bench.dataSource.query(
      // Along the primary key from the last one: left to itself the optimizer takes the due index and sorts all the waiting rows for every batch.
      "SELECT msgId, endpointId, attempts, nextAttemptAt FROM homing_deliveries FORCE INDEX (PRIMARY) WHERE msgId > ? AND status = 'pending' AND nextAttemptAt > NOW(3) ORDER BY msgId LIMIT 5000",
      [after],
    )) as { msgId: string; endpointId: string; attempts: number; nextAttemptAt: Date }[];
    if (rows.length === 0) break;
    await queue.enqueue(rows.map(({ msgId, endpointId, attempts, nextAttemptAt }) => ({ msgId, endpointId, attempts, dueAt: nextAttemptAt })));
    queued += rows.length;
    after = rows[rows.length - 1].msgId;
  }
  log(`  queued ${queued} waiting deliveries`);
}

interface Drain {
  arrived: number;
  seconds: number;
  finished: boolean;
  rate: number;
  steady: Latencies;
  duplicates: number;
  /** Of each dispatcher process. */
  peakRssMb: number[];
}

/**
 * The endpoint answers again: its BACKLOG due deliveries appear at once (one statement), while the steady
 * endpoint gets STEADY_PER_SECOND messages a second through the API; until the backlog has arrived or
 * `capMs` has passed. Whatever is left then is cancelled, so it does not run into the next phase.
 */
async function drainRun(bench: Bench, seeded: Seeded, api: Producer, steady: SteadyApp, backlog: BenchApp, capMs: number): Promise<Drain> {
  const set = seeded.backlog;
  const i = `n - ${set.first}`;
  await bench.sink.reset(true);
  await steady.sink.reset(true);
  await seeded.seeder.fill(
    'homing_deliveries',
    set,
    {
      msgId: idSql('msg', timeOf(set, i), 'n'),
      endpointId: `'${backlog.endpointIds[0]}'`,
      appId: `'${backlog.id}'`,
      status: "'pending'",
      attempts: '1',
      scheduleStep: '1',
      trigger: "'scheduled'",
      nextAttemptAt: timeSql(`${timeOf(set, i)} + ${ATTEMPT_OFFSETS_MS[1]}`),
      createdAt: timeSql(timeOf(set, i)),
      updatedAt: timeSql(`${timeOf(set, i)} + ${ATTEMPT_OFFSETS_MS[0]}`),
    },
    { chunk: set.count },
  );
  const started = wallClock();
  const stream = sendAtRate(api, steady, STEADY_PER_SECOND, STEADY_SECONDS);
  const reply = await bench.sink.waitUpTo(set.count, capMs);
  const stoppedAt = wallClock();
  const accepted = await stream;
  const steadyReply = await steady.sink.waitFor(accepted.size, 120_000);
  const backlogArrivals = reply.arrivals!;
  const arrived = backlogArrivals.length;
  const finished = arrived >= set.count;
  // A loop, not Math.max(...arrivals): 200,000 arguments overflow the stack.
  const lastAt = backlogArrivals.reduce((last, [, at]) => Math.max(last, at), 0);
  const seconds = ((finished ? lastAt : stoppedAt) - started) / 1000;
  if (!finished) {
    log(`  ${arrived} of ${set.count} arrived within ${capMs / 1000} s; cancelling the rest`);
    await bench.dataSource.query("UPDATE homing_deliveries SET status = 'canceled' WHERE endpointId = ? AND status = 'pending'", [backlog.endpointIds[0]]);
  }
  const drain = { arrived, seconds, finished, rate: arrived / seconds, steady: latencies(accepted, steadyReply.arrivals!), duplicates: reply.duplicates + steadyReply.duplicates, peakRssMb: await bench.dispatcher.peakRssMbEach() };
  log(`  ${JSON.stringify(drain)}`);
  return drain;
}

/** The steady endpoint's latencies at STEADY_PER_SECOND with nothing else going on: its normal. */
async function steadyAlone(bench: Bench, api: Producer, steady: SteadyApp): Promise<Latencies> {
  const alone = await latencyRun(bench, api, steady, STEADY_PER_SECOND, STEADY_SECONDS, steady.sink);
  log(`  steady stream alone: p50 ${alone[50].toFixed(1)} ms, p99 ${alone[99].toFixed(1)} ms`);
  return alone;
}

/** `steadyNormal`: the steady stream alone at size, what the drain's p99 is held to; `steadyEmpty` the same on empty tables, shown beside it. */
function drainFigures(drain: Drain, normalRate: number, steadyNormal: Latencies, steadyEmpty: Latencies): Figure[] {
  const ratio = drain.rate / normalRate;
  const latencyRatio = drain.steady[99] / steadyNormal[99];
  return [
    {
      key: 'drainRate',
      label: `Backlog drain: ${BACKLOG.toLocaleString('en-US')} due deliveries to a recovered endpoint (counterpart: throughput at size)`,
      value: drain.rate,
      unit: 'deliveries/s',
      note: drain.finished ? `all in ${drain.seconds.toFixed(1)} s` : `only ${drain.arrived} within ${drain.seconds.toFixed(0)} s`,
      counterpart: normalRate,
      ratio,
      target: `ratio ≥ ${DRAIN_TARGET}`,
      met: ratio >= DRAIN_TARGET && drain.finished,
    },
    {
      key: 'drainSteadyP99',
      label: `Steady endpoint's p99 at ${STEADY_PER_SECOND} msg/s via the API during the drain (counterpart: alone at size)`,
      value: drain.steady[99],
      unit: 'ms',
      note: `p50 ${drain.steady[50].toFixed(1)}; alone on empty tables p99 ${steadyEmpty[99].toFixed(1)}`,
      counterpart: steadyNormal[99],
      ratio: latencyRatio,
      target: 'ratio ≤ 2',
      met: latencyRatio <= 2,
    },
    { key: 'drainDuplicates', label: 'Duplicate deliveries during the drain (same webhook-id twice at the sink)', value: drain.duplicates, unit: '', target: '0', met: drain.duplicates === 0 },
    {
      key: 'peakRssMb',
      label: 'Dispatcher peak RSS (VmHWM) of its largest process since its restart after seeding: runs at size, Redis, drain',
      value: Math.max(...drain.peakRssMb),
      unit: 'MB',
      note: drain.peakRssMb.length > 1 ? `${drain.peakRssMb.length} processes: ${drain.peakRssMb.map((mb) => mb.toFixed(0)).join(' + ')} MB` : undefined,
      target: '< 300 MB',
      met: Math.max(...drain.peakRssMb) < 300,
    },
  ];
}

/** Deletes the expired day in one call; rows/s, and what that makes of a day at 100 messages/s to 3 endpoints. */
async function retentionFigure(retention: PayloadRetentionService, emptyMs: number): Promise<Figure> {
  let deleted = { messages: 0, deliveries: 0, attempts: 0, finished: false };
  const ms = await timed(async () => (deleted = await retention.deleteExpiredRows(new Date(), { budgetMs: RETENTION_BUDGET_MS })));
  const rows = deleted.messages + deleted.deliveries + deleted.attempts;
  const perSecond = rows / (ms / 1000);
  // 100 messages/s to 3 endpoints: 8.64M messages, 25.9M deliveries and (two a delivery, as seeded) 51.8M attempts a day.
  const dayRows = 100 * 86_400 * (1 + 3 + 3 * 2);
  log(`  retention: ${JSON.stringify(deleted)} in ${ms.toFixed(0)} ms`);
  return {
    key: 'retention',
    label: `Retention: deleteExpiredRows on a day of expired rows, ${rows.toLocaleString('en-US')} deleted (counterpart: nothing expired)`,
    value: ms,
    unit: 'ms',
    note: `${Math.round(perSecond).toLocaleString('en-US')} rows/s; so a day at 100 msg/s × 3 endpoints (${(dayRows / 1e6).toFixed(1)}M rows) ≈ ${(dayRows / perSecond / 60).toFixed(0)} min`,
    counterpart: emptyMs,
    ...(deleted.finished ? {} : { target: 'the whole day', met: false }),
  };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const at = wallClock();
  await work();
  return wallClock() - at;
}

async function usedMemoryMb(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)![1]) / 1024 / 1024;
}

/** Samples Redis' used_memory every 250 ms until stopped; resolves with the most seen. */
function watchMemory(redis: Redis): { stop(): Promise<number> } {
  let peak = 0;
  const sample = async () => void (peak = Math.max(peak, await usedMemoryMb(redis)));
  // A sample that fails (the bench ending on an error closed the connection) must not hide that error.
  const timer = setInterval(() => void sample().catch(() => clearInterval(timer)), 250);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      return peak;
    },
  };
}

await main();
