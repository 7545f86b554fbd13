/**
 * `node bench/dist/profile-stages.js <profile.cpuprofile> [results.json]`: the dispatcher's CPU time
 * (main thread, as V8 samples it) by stage, from a profile written by `BENCH_PROFILE=1 npm run bench`.
 *
 * A sample's time goes to the stage of the file its function is in. Node internals, native functions
 * and other packages have no stage of their own: they take the stage of their nearest caller that has
 * one (JSON.stringify under axios is POST, HMAC under signing/ is signing), and without one, socket and
 * stream internals are "sockets, no caller" (reads of any connection: HTTP, MariaDB, Redis) and the rest
 * "other". The project's own files outside the named folders are "other".
 *
 * Prints the whole profile, then each figure of the results file (default bench/results.json) whose
 * runs lie inside the profile, with only the samples inside those runs, and the dispatcher's CPU per
 * delivery measured from /proc over those runs shared out between the stages by their samples.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  /** µs on the monotonic clock, as process.hrtime. */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The part of results.json written by run.ts that this reads. */
interface Results {
  cpuPerDelivery?: { figures: { key: string; label: string; runs: { deliveries: number; cpuMs: { dispatcher: number }; monotonicUs: [number, number] }[] }[] };
}

const STAGES = ['API request', 'validation', 'database client', 'queue', 'signing', 'POST', 'GC', 'sockets, no caller', 'V8 (program)', 'other'] as const;
type Stage = (typeof STAGES)[number];

/** By the file: the first pattern that matches the frame's url. */
const FILE_STAGES: [RegExp, Stage][] = [
  [/\/apps\/dispatcher\/(src|dist)\/api\/|^node:_http_server$/, 'API request'],
  [/\/libs\/webhooks\/(src|dist)\/inputs\/|\/node_modules\/class-(validator|transformer)\//, 'validation'],
  [/\/libs\/webhooks\/(src|dist)\/store\/|\/node_modules\/(mysql2|typeorm)\//, 'database client'],
  [/\/libs\/webhooks\/(src|dist)\/queue\/|\/node_modules\/(bull|ioredis|redis-parser)\//, 'queue'],
  [/\/libs\/webhooks\/(src|dist)\/signing\//, 'signing'],
  [/\/libs\/webhooks\/(src|dist)\/delivery\/webhook-http\.client\.|\/node_modules\/axios\/|^node:(http|_http_client|_http_agent|_http_outgoing)$/, 'POST'],
  // The project's own code elsewhere: its own cost, not its caller's.
  [/\/(libs|apps)\/[^/]+\/(src|dist)\//, 'other'],
];
/** Reads of sockets and streams start from the event loop with no caller to name what they are for. */
const SOCKETS = /^node:(net|stream|_http_common|_http_incoming|internal\/(stream_base_commons|streams\/.*|net))$/;

function ownStage(frame: ProfileNode['callFrame']): Stage | undefined {
  if (frame.functionName === '(garbage collector)') return 'GC';
  if (frame.functionName === '(program)') return 'V8 (program)';
  return FILE_STAGES.find(([pattern]) => pattern.test(frame.url))?.[1];
}

/** Stage of every node: its own, else its nearest caller's, else sockets or other; `(idle)` has none. */
function stagesOf(profile: Profile): Map<number, Stage | 'idle'> {
  const stages = new Map<number, Stage | 'idle'>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const walk = (node: ProfileNode, inherited: Stage | undefined) => {
    const own = ownStage(node.callFrame);
    const stage = own ?? inherited;
    stages.set(node.id, node.callFrame.functionName === '(idle)' ? 'idle' : (stage ?? (SOCKETS.test(node.callFrame.url) ? 'sockets, no caller' : 'other')));
    for (const child of node.children ?? []) walk(byId.get(child)!, stage);
  };
  const children = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  for (const root of profile.nodes.filter((node) => !children.has(node.id))) walk(root, undefined);
  return stages;
}

interface StageCounts {
  /** Samples by stage: each stands for one sampling interval of the main thread. */
  samples: Map<Stage | 'idle', number>;
  spanMs: number;
}

/**
 * Samples by stage inside `windows` (µs, monotonic), all when none given. Samples are counted, not timed:
 * on a busy machine the time between two samples stretches while the thread waits for a core (a run of
 * 2 s of CPU by /proc showed 3.4 s of sample time), so a profile gives shares and /proc the total.
 */
function countByStage(profile: Profile, windows?: [number, number][]): StageCounts {
  const stages = stagesOf(profile);
  const samples = new Map<Stage | 'idle', number>();
  let at = profile.startTime;
  profile.samples.forEach((node, i) => {
    at += profile.timeDeltas[i];
    if (windows && !windows.some(([from, to]) => at >= from && at <= to)) return;
    const stage = stages.get(node)!;
    samples.set(stage, (samples.get(stage) ?? 0) + 1);
  });
  const spanMs = windows ? windows.reduce((sum, [from, to]) => sum + (to - from), 0) / 1000 : (profile.endTime - profile.startTime) / 1000;
  return { samples, spanMs };
}

/** `cpu`: the dispatcher's CPU ms by /proc over the same runs and their deliveries, shared out by the samples. */
function formatStages(title: string, { samples, spanMs }: StageCounts, cpu?: { ms: number; deliveries: number }): string {
  const busy = STAGES.reduce((sum, stage) => sum + (samples.get(stage) ?? 0), 0);
  const share = (stage: Stage) => (busy ? (samples.get(stage) ?? 0) / busy : 0);
  const rows = STAGES.map((stage) => {
    const perDelivery = cpu ? ` | ${((share(stage) * cpu.ms) / cpu.deliveries).toFixed(3)}` : '';
    return `| ${stage} | ${samples.get(stage) ?? 0} | ${(100 * share(stage)).toFixed(1)}%${perDelivery} |`;
  });
  const measured = cpu ? `; dispatcher CPU by /proc ${Math.round(cpu.ms).toLocaleString('en-US')} ms for ${cpu.deliveries.toLocaleString('en-US')} deliveries` : '';
  return [
    `${title}: ${(spanMs / 1000).toFixed(1)} s of wall time, ${busy.toLocaleString('en-US')} samples with the main thread busy, ${(samples.get('idle') ?? 0).toLocaleString('en-US')} idle${measured}`,
    `| stage | samples | % of busy${cpu ? ' | CPU ms per delivery (share of /proc)' : ''} |`,
    `| --- | ---: | ---:${cpu ? ' | ---:' : ''} |`,
    ...rows,
    `| all | ${busy} | 100%${cpu ? ` | ${(cpu.ms / cpu.deliveries).toFixed(3)}` : ''} |`,
  ].join('\n');
}

function main(): void {
  const [profilePath, resultsPath = fileURLToPath(new URL('../results.json', import.meta.url))] = process.argv.slice(2);
  if (!profilePath) throw new Error('usage: node bench/dist/profile-stages.js <profile.cpuprofile> [results.json]');
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as Profile;
  const sections = [formatStages('Whole profile (start-up and idle time included)', countByStage(profile))];
  const results = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Results) : {};
  for (const figure of results.cpuPerDelivery?.figures ?? []) {
    const windows = figure.runs.map((run) => run.monotonicUs);
    // Figures of another bench run (another dispatcher process) lie outside this profile.
    if (windows.length === 0 || !windows.every(([from, to]) => from >= profile.startTime && to <= profile.endTime)) continue;
    const deliveries = figure.runs.reduce((sum, run) => sum + run.deliveries, 0);
    const ms = figure.runs.reduce((sum, run) => sum + run.cpuMs.dispatcher, 0);
    sections.push(formatStages(`${figure.label} (${figure.key}, ${figure.runs.length} run(s))`, countByStage(profile, windows), { ms, deliveries }));
  }
  console.log(sections.join('\n\n'));
}

main();
