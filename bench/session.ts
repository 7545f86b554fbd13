/**
 * What both benches (run.ts, scale.ts) stand on: a fresh database and queue prefix, the sink, a real
 * dispatcher process, the library in this process as a producer, and the runs they share.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { NestFactory } from '@nestjs/core';
import axios, { type AxiosInstance } from 'axios';
import { createConnection } from 'mysql2/promise';
import { Redis } from 'ioredis';
import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ApplicationsService, EndpointsService, ProducerService, WEBHOOKS_DATA_SOURCE, WebhooksModule, type EndpointInput } from '@homing/webhooks';
import { DispatcherProcess, Sink } from './processes.js';
import { wallClock } from './protocol.js';
import { percentile } from './report.js';

export const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
export const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Messages being sent at once by the producers. */
export const PRODUCERS = 32;

export const EVENT_TYPE = 'bench.event';
/** About 500 bytes, the size of a typical event. */
export const PAYLOAD = {
  type: EVENT_TYPE,
  timestamp: '2025-01-01T00:00:00.000Z',
  data: { id: 'ord_0123456789', customer: 'cus_0123456789', items: Array.from({ length: 6 }, (_, i) => ({ sku: `sku-${i}`, quantity: i + 1, price: 1999 })) },
};
export const PAYLOAD_TEXT = JSON.stringify(PAYLOAD);

export interface Producer {
  name: 'library' | 'API';
  /** Sends one message; resolves with its id once accepted. */
  send(appId: string): Promise<string>;
}

export interface Bench {
  sink: Sink;
  dispatcher: DispatcherProcess;
  library: INestApplicationContext;
  dataSource: DataSource;
  producers: Producer[];
  api: AxiosInstance;
  secret: string;
  database: string;
  queuePrefix: string;
  /**
   * Resolves once `count` successful attempts of the app since `since` are recorded: run.ts then empties
   * the tables for the next run, scale.ts keeps every row (its tables are the point).
   */
  settle(count: number, appId: string, since: Date): Promise<void>;
}

export interface BenchOptions {
  /** Names the database and queue prefix: `homing_<name>_<suffix>`. */
  name: string;
  concurrency: number;
  requestTimeoutMs: number;
  /** What `bench.settle` does. */
  settle(bench: Bench, count: number, appId: string, since: Date): Promise<void>;
  /** Node flags for the dispatcher, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Extra dispatcher environment (HOMING_…). */
  dispatcherEnv?: Record<string, string>;
}

/**
 * Starts everything on a fresh database and queue prefix, runs `body`, then stops it all and drops the
 * database and the prefix's Redis keys, also when `body` throws (after printing the dispatcher's output).
 */
export async function withBench<T>(options: BenchOptions, body: (bench: Bench) => Promise<T>): Promise<T> {
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const database = `homing_${options.name}_${suffix}`;
  const queuePrefix = `homing_${options.name}_${suffix}`;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const apiToken = `hop_${randomBytes(24).toString('base64url')}`;
  // Encrypted secrets, as a production dispatcher should run; the library side writes them with the same key.
  const encryptionKey = randomBytes(32).toString('base64');
  const sink = await Sink.start(secret);
  let dispatcher: DispatcherProcess | undefined;
  let library: INestApplicationContext | undefined;
  try {
    dispatcher = await DispatcherProcess.start(
      {
        DATABASE_URL: `${MYSQL_URL}/${database}`,
        REDIS_URL,
        HOMING_QUEUE_PREFIX: queuePrefix,
        HOMING_API_TOKEN: apiToken,
        HOMING_ALLOWED_CIDRS: '127.0.0.0/8',
        HOMING_REQUEST_TIMEOUT: `${options.requestTimeoutMs}ms`,
        HOMING_CONCURRENCY: String(options.concurrency),
        HOMING_ENCRYPTION_KEY: encryptionKey,
        // One process unless a figure says otherwise (run.ts measures HOMING_PROCESSES apart).
        HOMING_PROCESSES: '1',
        ...options.dispatcherEnv,
      },
      options.nodeArgs,
    );
    // The library producer: a host app's module with no worker, on the dispatcher's database and queue.
    library = await NestFactory.createApplicationContext(
      WebhooksModule.forRoot({
        database: { url: `${MYSQL_URL}/${database}`, migrationsRun: false },
        redis: REDIS_URL,
        queuePrefix,
        worker: false,
        allowedCidrs: ['127.0.0.0/8'],
        encryptionKey,
      }),
      { logger: ['error', 'warn'] },
    );
    const producer = library.get(ProducerService);
    const api = axios.create({
      baseURL: `${dispatcher.baseUrl}/api/v1`,
      headers: { authorization: `Bearer ${apiToken}` },
      httpAgent: new http.Agent({ keepAlive: true }),
    });
    const bench: Bench = {
      sink,
      dispatcher,
      library,
      dataSource: library.get<DataSource>(WEBHOOKS_DATA_SOURCE),
      api,
      secret,
      database,
      queuePrefix,
      settle: (count, appId, since) => options.settle(bench, count, appId, since),
      producers: [
        { name: 'library', send: async (appId) => (await producer.send(appId, { eventType: EVENT_TYPE, payload: PAYLOAD })).id },
        { name: 'API', send: async (appId) => (await api.post<{ id: string }>(`/app/${appId}/msg/`, { eventType: EVENT_TYPE, payload: PAYLOAD })).data.id },
      ],
    };
    return await body(bench);
  } catch (error) {
    if (dispatcher) console.error(`dispatcher output (end):\n${dispatcher.output.slice(-4000)}`);
    throw error;
  } finally {
    await library?.close();
    await dispatcher?.stop();
    sink.stop();
    await dropServices(database, queuePrefix);
  }
}

export interface BenchApp {
  id: string;
  endpoints: number;
  /** Its endpoints' ids, in the order of their URLs. */
  endpointIds: string[];
}

export async function createApp(bench: Bench, name: string, urls: string[], options: Pick<EndpointInput, 'ordering'> = {}): Promise<BenchApp> {
  const application = await bench.library.get(ApplicationsService).create({ name: `bench ${name}` });
  const endpoints = bench.library.get(EndpointsService);
  const endpointIds: string[] = [];
  for (const url of urls) endpointIds.push((await endpoints.create(application.id, { url, secret: bench.secret, ...options })).id);
  return { id: application.id, endpoints: urls.length, endpointIds };
}

/** Runs `task(i)` for i in [0, count) with at most `parallel` at once. */
export async function pool(count: number, parallel: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Deliveries per second: `messages` sent by `PRODUCERS` at once, until the last delivery arrives and every attempt is recorded. */
export async function throughputRun(bench: Bench, producer: Producer, app: BenchApp, messages: number): Promise<number> {
  const expected = messages * app.endpoints;
  await bench.sink.reset();
  const since = new Date();
  const started = wallClock();
  await pool(messages, PRODUCERS, () => producer.send(app.id));
  const { lastAt } = await bench.sink.waitFor(expected, 600_000);
  await bench.settle(expected, app.id, since);
  return expected / ((lastAt - started) / 1000);
}

export type Latencies = Record<50 | 95 | 99, number>;

/**
 * Open loop: messages sent on a fixed schedule whatever the answers; latency from each acceptance to its
 * arrival at `sink` (the app's endpoint's receiver: the bench's, unless the app has a receiver of its own).
 */
export async function latencyRun(bench: Bench, producer: Producer, app: BenchApp, perSecond: number, seconds: number, sink = bench.sink): Promise<Latencies> {
  await sink.reset(true);
  const since = new Date();
  const accepted = await sendAtRate(producer, app, perSecond, seconds);
  const { arrivals } = await sink.waitFor(accepted.size, 120_000);
  await bench.settle(accepted.size, app.id, since);
  return latencies(accepted, arrivals!);
}

/** Sends `perSecond` messages a second for `seconds` on a fixed schedule; resolves with when each id was accepted. */
export async function sendAtRate(producer: Producer, app: BenchApp, perSecond: number, seconds: number): Promise<Map<string, number>> {
  const count = perSecond * seconds;
  const accepted = new Map<string, number>();
  const started = wallClock();
  const sends: Promise<void>[] = [];
  const failures: Error[] = [];
  for (let i = 0; i < count; i += 1) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - wallClock();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    // Caught here: the sends are awaited only after the last one starts.
    sends.push(producer.send(app.id).then((id) => void accepted.set(id, wallClock()), (error: Error) => void failures.push(error)));
  }
  await Promise.all(sends);
  if (failures.length > 0) throw new Error(`${failures.length} of ${count} sends failed, the first: ${failures[0].message}`);
  return accepted;
}

/** Percentiles of arrival minus acceptance, over the arrivals of the accepted ids. */
export function latencies(accepted: ReadonlyMap<string, number>, arrivals: readonly [string, number][]): Latencies {
  const sorted = arrivals.filter(([id]) => accepted.has(id)).map(([id, at]) => at - accepted.get(id)!).sort((a, b) => a - b);
  return { 50: percentile(sorted, 50), 95: percentile(sorted, 95), 99: percentile(sorted, 99) };
}

/** Waits until `count` successful attempts are recorded (of one app since a time, or in all), polling. */
export async function awaitAttempts(bench: Bench, count: number, timeoutMs: number, scope?: { appId: string; since: Date }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Scoped, the count is a range of the (appId, createdAt, status, msgId) index, not a scan of a big table.
  const [sql, parameters] = scope
    ? ["SELECT COUNT(*) AS done FROM homing_attempts WHERE appId = ? AND createdAt >= ? AND status = 'success'", [scope.appId, scope.since]]
    : ["SELECT COUNT(*) AS done FROM homing_attempts WHERE status = 'success'", []];
  for (;;) {
    const [{ done }] = (await bench.dataSource.query(sql, parameters)) as { done: string }[];
    if (Number(done) >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${count} attempts were recorded`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function dropServices(database: string, queuePrefix: string): Promise<void> {
  const connection = await createConnection(MYSQL_URL);
  await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await connection.end();
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}

export function log(line: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}
