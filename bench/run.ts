/**
 * `npm run bench`: delivery throughput, latency, fan-out, isolation and ingest of a real dispatcher
 * process on the local MariaDB and Redis, side by side with a bare axios loop to the same sink.
 * Prints a table and writes it as JSON to bench/results.json. See README, Performance.
 */
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import autocannon from 'autocannon';
import axios from 'axios';
import { Webhook } from 'standardwebhooks';
import { CpuMeter, formatCpuTable, serverPid } from './cpu.js';
import { ROOT } from './processes.js';
import { SLOW_MS, wallClock } from './protocol.js';
import { formatTable, median, type Figure } from './report.js';
import {
  awaitAttempts,
  createApp,
  env,
  EVENT_TYPE,
  latencyRun,
  log,
  MYSQL_URL,
  PAYLOAD,
  PAYLOAD_TEXT,
  pool,
  PRODUCERS,
  REDIS_URL,
  throughputRun,
  withBench,
  type Bench,
  type BenchApp,
  type Producer,
} from './session.js';

/** Runs per figure; each figure is their median. */
const RUNS = env('BENCH_RUNS', 3);
/** Messages per throughput run to one endpoint, and POSTs per reference run. */
const MESSAGES = env('BENCH_MESSAGES', 20_000);
/**
 * To 10 endpoints a run sends a tenth as many messages (the same number of deliveries), so the whole
 * bench fits in 10 minutes; BENCH_FULL=1 sends all of them (ten times the deliveries, much longer).
 */
const FULL = process.env.BENCH_FULL === '1';
/** Deliveries in flight in the dispatcher, and in the reference loop. */
const CONCURRENCY = env('BENCH_CONCURRENCY', 50);
const REQUEST_TIMEOUT_MS = 2_000;
const LATENCY_SECONDS = env('BENCH_LATENCY_SECONDS', 10);
const LATENCY_WARMUP_SECONDS = 5;
const FAN_OUT = 1_000;
const ISOLATION_ENDPOINTS = 10;
const INGEST_SECONDS = env('BENCH_INGEST_SECONDS', 10);
/** Messages per run to the ordered endpoint (one delivery at a time: about 10 s each at 100/s). */
const FIFO_MESSAGES = env('BENCH_FIFO_MESSAGES', 1_000);
/** Dispatcher processes of the `_processes` figures: HOMING_PROCESSES' default, a process per core. */
const PROCESSES = os.availableParallelism();
/**
 * For profiling one part: e.g. BENCH_ONLY=throughput or BENCH_ONLY=throughput_api_1,fanout (the reference
 * always runs); `processes` for the figures with several processes.
 */
const ONLY = process.env.BENCH_ONLY?.split(',');
const wanted = (...keys: string[]) => !ONLY || keys.some((key) => ONLY.includes(key));

async function main(): Promise<void> {
  const started = Date.now();
  const nodeArgs = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${ROOT}bench/profiles`] : [];
  const options = { name: 'bench', concurrency: CONCURRENCY, requestTimeoutMs: REQUEST_TIMEOUT_MS, settle: (bench: Bench, count: number) => persisted(bench, count), nodeArgs };
  await withBench(options, async (bench) => {
    const servers = { mariadb: serverPid('mariadbd', Number(new URL(MYSQL_URL).port || 3306)), redis: serverPid('redis-server', Number(new URL(REDIS_URL).port || 6379)) };
    const cpu = new CpuMeter(() => ({ dispatcher: bench.dispatcher.pids, sink: bench.sink.pid }), servers);
    const figures = await measure(bench, cpu);
    const peakRss = await bench.dispatcher.peakRssMb();
    figures.push({ key: 'peakRssMb', label: 'Dispatcher peak RSS over the run (one process)', value: peakRss, unit: 'MB', target: '≤ 300 MB', met: peakRss <= 300 });
    figures.push(...(await measureProcesses(bench, cpu, figures.find((figure) => figure.key === 'reference')!.value)));
    const conditions = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      processes: PROCESSES,
      runs: RUNS,
      messages: MESSAGES,
      messagesTo10Endpoints: FULL ? MESSAGES : MESSAGES / 10,
      concurrency: CONCURRENCY,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    console.log(formatTable(figures, conditions));
    console.log(`\n${formatCpuTable(cpu.figures, cpu.clockTicksPerSecond)}`);
    const cpuPerDelivery = { clockTicksPerSecond: cpu.clockTicksPerSecond, pids: cpu.sources, figures: cpu.figures };
    await writeFile(`${ROOT}bench/results.json`, `${JSON.stringify({ conditions, figures, cpuPerDelivery }, null, 2)}\n`);
  });
}

/** The throughput figures and the reference also have their CPU per delivery read, by `cpu`. */
async function measure(bench: Bench, cpu: CpuMeter): Promise<Figure[]> {
  const figures: Figure[] = [];
  const { sink } = bench;
  log(`reference: ${MESSAGES} signed POSTs by an axios keep-alive loop, concurrency ${CONCURRENCY}`);
  const referenceLabel = `Reference: axios keep-alive loop, ${CONCURRENCY} in flight`;
  const reference = median(await repeat(await cpu.meter('reference', referenceLabel, MESSAGES, () => referenceRun(bench, MESSAGES))));
  figures.push({ key: 'reference', label: referenceLabel, value: reference, unit: 'deliveries/s' });

  const single = await createApp(bench, 'single', [sink.url('ok', 0)]);
  const ten = await createApp(bench, 'ten', Array.from({ length: 10 }, (_, i) => sink.url('ok', i)));
  const throughputs = new Map<string, number>();
  for (const producer of bench.producers) {
    for (const app of [single, ten]) {
      const figure = await throughputFigure(bench, cpu, producer, app, reference);
      if (!figure) continue;
      figures.push(figure);
      throughputs.set(`${producer.name}/${app.endpoints}`, figure.value);
    }
  }

  const api = bench.producers.find((producer) => producer.name === 'API')!;
  const rate = Math.max(1, Math.round((throughputs.get('API/1') ?? reference / 2) / 2));
  if (wanted('latency')) log(`latency: ${rate} messages/s via the API for ${LATENCY_SECONDS} s`);
  // A warm-up at the same rate, not counted: the first seconds after the heavy throughput runs have a far
  // longer tail (p99 of 260 ms against 15 ms measured alone), an after-effect of those runs.
  if (wanted('latency')) await latencyRun(bench, api, single, rate, LATENCY_WARMUP_SECONDS);
  const latencies = wanted('latency') ? await repeat(() => latencyRun(bench, api, single, rate, LATENCY_SECONDS)) : [];
  for (const p of latencies.length ? ([50, 95, 99] as const) : []) {
    const value = median(latencies.map((run) => run[p]));
    figures.push({
      key: `latency_p${p}`,
      label: `Latency p${p} at ${rate} messages/s (half of API throughput)`,
      value,
      unit: 'ms',
      ...(p === 99 ? { target: '≤ 50 ms', met: value <= 50 } : {}),
    });
  }

  if (wanted('fanout')) {
    const wide = await createApp(bench, 'fanout', Array.from({ length: FAN_OUT }, (_, i) => sink.url('ok', i)));
    log(`fan-out: one message to ${FAN_OUT} endpoints`);
    const fanOut = median(await repeat(() => fanOutRun(bench, api, wide)));
    figures.push({ key: 'fanout', label: `Fan-out: one message to ${FAN_OUT} endpoints, until the last arrives`, value: fanOut, unit: 'ms', target: '≤ 2000 ms', met: fanOut <= 2000 });
  }

  if (wanted('isolation')) {
    // A thousand messages by default: ten thousand deliveries all healthy, enough for five request timeouts.
    const messages = Math.max(100, Math.round(MESSAGES / 20));
    log(`isolation: ${messages} messages to ${ISOLATION_ENDPOINTS} endpoints, a fifth of them hanging`);
    const isolation = median((await repeat(() => isolationRun(bench, api, messages))).map((run) => run.ratio));
    figures.push({
      key: 'isolation',
      label: `Isolation: healthy deliveries/s with ${ISOLATION_ENDPOINTS / 5} of ${ISOLATION_ENDPOINTS} endpoints hanging, vs all healthy`,
      value: isolation,
      unit: 'ratio',
      target: '≥ 0.8',
      met: isolation >= 0.8,
    });
  }

  if (wanted('fifo')) figures.push(...(await orderedFigures(bench, cpu)));

  if (wanted('ingest')) {
    log(`ingest: autocannon, ${INGEST_SECONDS} s of message creation`);
    const ingest = median(await repeat(() => ingestRun(bench, single)));
    figures.push(ingestFigure(ingest));
  }
  return figures;
}

/**
 * The same figures with HOMING_PROCESSES at its default (a process per core), after the rest (which run
 * one process): the dispatcher is restarted for them.
 */
async function measureProcesses(bench: Bench, cpu: CpuMeter, reference: number): Promise<Figure[]> {
  const figures: Figure[] = [];
  if (PROCESSES < 2 || !wanted('processes')) return figures;
  log(`${PROCESSES} dispatcher processes (HOMING_PROCESSES=${PROCESSES})`);
  await bench.dispatcher.restart({ HOMING_PROCESSES: String(PROCESSES) });
  const single = await createApp(bench, 'single processes', [bench.sink.url('ok', 0)]);
  const ten = await createApp(bench, 'ten processes', Array.from({ length: 10 }, (_, i) => bench.sink.url('ok', i)));
  for (const producer of bench.producers) {
    for (const app of [single, ten]) {
      const figure = await throughputFigure(bench, cpu, producer, app, reference, PROCESSES);
      if (figure) figures.push(figure);
    }
  }
  log(`ingest with ${PROCESSES} processes`);
  figures.push(ingestFigure(median(await repeat(() => ingestRun(bench, single))), PROCESSES));
  return figures;
}

/**
 * Issue 18's target for each throughput figure, as a ratio to the reference loop (deliveries through the
 * API cost an HTTP request each on top).
 */
const THROUGHPUT_TARGETS: Record<string, number> = { 'library/1': 0.8, 'library/10': 1.0, 'API/1': 0.5, 'API/10': 0.8 };
const INGEST_TARGET = 1_000;

const processesKey = (processes: number) => (processes > 1 ? '_processes' : '');
const processesLabel = (processes: number) => (processes > 1 ? `, ${processes} processes` : '');

/** Throughput of `producer` to `app`'s endpoints, beside the reference; undefined when BENCH_ONLY leaves it out. */
async function throughputFigure(bench: Bench, cpu: CpuMeter, producer: Producer, app: BenchApp, reference: number, processes = 1): Promise<Figure | undefined> {
  const key = `throughput_${producer.name.toLowerCase()}_${app.endpoints}${processesKey(processes)}`;
  if (!wanted('throughput', key, ...(processes > 1 ? ['processes'] : []))) return undefined;
  const messages = FULL ? MESSAGES : Math.round(MESSAGES / app.endpoints);
  log(`throughput: ${messages} messages via the ${producer.name} to ${app.endpoints} endpoint(s)${processesLabel(processes)}`);
  const label = `Throughput, ${producer.name}, ${app.endpoints === 1 ? '1 endpoint' : `${app.endpoints} endpoints`}${processesLabel(processes)}`;
  const rate = median(await repeat(await cpu.meter(key, label, messages * app.endpoints, () => throughputRun(bench, producer, app, messages))));
  const ratio = rate / reference;
  const target = THROUGHPUT_TARGETS[`${producer.name}/${app.endpoints}`];
  return { key, label, value: rate, unit: 'deliveries/s', ratio, target: `ratio ≥ ${target}`, met: ratio >= target };
}

/**
 * One ordered (FIFO) endpoint whose receiver takes SLOW_MS to answer: one delivery at a time, so its round
 * trip bounds it. Beside it, the same receiver unordered (concurrent deliveries), in the same run.
 */
async function orderedFigures(bench: Bench, cpu: CpuMeter): Promise<Figure[]> {
  const library = bench.producers.find((producer) => producer.name === 'library')!;
  const ordered = await createApp(bench, 'ordered', [bench.sink.url('slow', 0)], { ordering: 'fifo' });
  const unordered = await createApp(bench, 'unordered', [bench.sink.url('slow', 1)]);
  log(`ordered: ${FIFO_MESSAGES} messages via the library to one ordered endpoint answering in ${SLOW_MS} ms, then to one unordered`);
  const fifoLabel = `Ordered (FIFO) endpoint, receiver answering in ${SLOW_MS} ms, library`;
  const freeLabel = 'The same receiver, unordered';
  const fifo = median(await repeat(await cpu.meter('fifo', fifoLabel, FIFO_MESSAGES, () => throughputRun(bench, library, ordered, FIFO_MESSAGES))));
  const free = median(await repeat(await cpu.meter('fifo_unordered', freeLabel, FIFO_MESSAGES, () => throughputRun(bench, library, unordered, FIFO_MESSAGES))));
  return [
    { key: 'fifo', label: fifoLabel, value: fifo, unit: 'deliveries/s', note: `${(1000 / fifo).toFixed(1)} ms per delivery` },
    { key: 'fifo_unordered', label: freeLabel, value: free, unit: 'deliveries/s' },
  ];
}

function ingestFigure(rate: number, processes = 1): Figure {
  return {
    key: `ingest${processesKey(processes)}`,
    label: `Ingest: messages created per second through the API (1 endpoint each)${processesLabel(processes)}`,
    value: rate,
    unit: 'requests/s',
    target: `≥ ${INGEST_TARGET.toLocaleString('en-US')}`,
    met: rate >= INGEST_TARGET,
  };
}

async function repeat<T>(run: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const result = await run();
    log(`  run ${i + 1}: ${JSON.stringify(result, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v))}`);
    results.push(result);
  }
  return results;
}

async function referenceRun(bench: Bench, count: number): Promise<number> {
  const client = axios.create({ httpAgent: new http.Agent({ keepAlive: true }), validateStatus: () => true });
  const signer = new Webhook(bench.secret);
  const url = bench.sink.url('ok', 0);
  await bench.sink.reset();
  const started = wallClock();
  await pool(count, CONCURRENCY, async (i) => {
    const id = `msg_reference_${i}`;
    const now = new Date();
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const signature = signer.sign(id, now, PAYLOAD_TEXT);
    await client.post(url, PAYLOAD_TEXT, {
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': signature,
        'svix-id': id,
        'svix-timestamp': timestamp,
        'svix-signature': signature,
      },
    });
  });
  const { lastAt } = await bench.sink.waitFor(count, 10_000);
  return count / ((lastAt - started) / 1000);
}

async function fanOutRun(bench: Bench, producer: Producer, app: BenchApp): Promise<number> {
  await bench.sink.reset();
  const started = wallClock();
  await producer.send(app.id);
  const { lastAt } = await bench.sink.waitFor(app.endpoints, 60_000);
  await persisted(bench, app.endpoints);
  return lastAt - started;
}

/** Healthy deliveries/s with a fifth of the endpoints hanging, as a ratio to the same run with all healthy. */
async function isolationRun(bench: Bench, producer: Producer, messages: number): Promise<{ healthy: number; mixed: number; ratio: number }> {
  const hangingCount = ISOLATION_ENDPOINTS / 5;
  const healthyApp = await createApp(bench, 'healthy', Array.from({ length: ISOLATION_ENDPOINTS }, (_, i) => bench.sink.url('ok', i)));
  const mixedApp = await createApp(bench, 'mixed', [
    ...Array.from({ length: ISOLATION_ENDPOINTS - hangingCount }, (_, i) => bench.sink.url('ok', i)),
    ...Array.from({ length: hangingCount }, (_, i) => bench.sink.url('hang', i)),
  ]);
  const rate = async (app: BenchApp, healthyEndpoints: number) => {
    const expected = messages * healthyEndpoints;
    await bench.sink.reset();
    const started = wallClock();
    await pool(messages, PRODUCERS, () => producer.send(app.id));
    const { lastAt } = await bench.sink.waitFor(expected, 300_000);
    return expected / ((lastAt - started) / 1000);
  };
  const healthy = await rate(healthyApp, ISOLATION_ENDPOINTS);
  await persisted(bench, messages * ISOLATION_ENDPOINTS);
  const mixed = await rate(mixedApp, ISOLATION_ENDPOINTS - hangingCount);
  await persisted(bench, messages * (ISOLATION_ENDPOINTS - hangingCount));
  // The hanging endpoints' deliveries would go on timing out and retrying: remove them and let go of their requests.
  await bench.dataSource.query('DELETE FROM homing_endpoints WHERE appId IN (?, ?)', [healthyApp.id, mixedApp.id]);
  await bench.sink.reset();
  return { healthy, mixed, ratio: mixed / healthy };
}

async function ingestRun(bench: Bench, app: BenchApp): Promise<number> {
  const result = await autocannon({
    url: `${bench.dispatcher.baseUrl}/api/v1/app/${app.id}/msg/`,
    method: 'POST',
    headers: { authorization: bench.api.defaults.headers.authorization as string, 'content-type': 'application/json' },
    body: JSON.stringify({ eventType: EVENT_TYPE, payload: PAYLOAD }),
    connections: PRODUCERS,
    duration: INGEST_SECONDS,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`ingest: ${result.non2xx} answers other than 2xx, ${result.errors} errors`);
  // Everything accepted is delivered before the next run.
  await bench.sink.reset();
  await persisted(bench, result['2xx'], 300_000);
  return result['2xx'] / INGEST_SECONDS;
}

/** Waits until `count` successful attempts are recorded, then clears the records for the next run. */
async function persisted(bench: Bench, count: number, timeoutMs = 60_000): Promise<void> {
  await awaitAttempts(bench, count, timeoutMs);
  await clearRecords(bench);
}

async function clearRecords(bench: Bench): Promise<void> {
  for (const table of ['homing_attempts', 'homing_deliveries', 'homing_messages']) await bench.dataSource.query(`TRUNCATE TABLE ${table}`);
}

await main();
