/**
 * CPU time of the processes a delivery goes through, read before and after each run: the dispatcher (all
 * its processes with HOMING_PROCESSES > 1),
 * the sink and the shared MariaDB and Redis servers from /proc/<pid>/stat (utime + stime, all threads),
 * the bench process (where the library producer runs) from process.cpuUsage(). run.ts prints it per
 * delivery in a second table and writes it to bench/results.json (`cpuPerDelivery`).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { median } from './report.js';

const PROCESSES = ['dispatcher', 'mariadb', 'redis', 'sink', 'bench'] as const;
type ProcessName = (typeof PROCESSES)[number];
/** CPU ms by process; null where the process was not found (e.g. MariaDB on another host). */
type CpuMs = Record<ProcessName, number | null>;

const HEADINGS: Record<ProcessName, string> = { dispatcher: 'dispatcher', mariadb: 'MariaDB', redis: 'Redis', sink: 'sink', bench: 'bench (producer)' };

/** Clock ticks per second of utime/stime; 100 on Linux unless the kernel says otherwise. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * The pid of the server process named `comm` that listens on `port` (other servers of the same name come
 * and go on this machine: tests start their own), or null when there is none to read.
 */
export function serverPid(comm: string, port: number): number | null {
  const listening = listeningInodes(port);
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) continue;
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => listening.has(readlinkSync(`/proc/${pid}/fd/${fd}`)))) return Number(pid);
    } catch {
      // It exited while we looked.
    }
  }
  return null;
}

/** `socket:[inode]` of the sockets listening on `port` (any address), from /proc/net/tcp and tcp6. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      // sl local_address rem_address st ... inode: the port is hex after the colon, st 0A is LISTEN.
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && parseInt(fields[1]?.split(':')[1] ?? '', 16) === port) inodes.add(`socket:[${fields[9]}]`);
    }
  }
  return inodes;
}

/** utime + stime of a process in ms; null once it is gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: count fields from the last ')'; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** A reading of every process at one moment, with the monotonic clock (µs, the timebase of .cpuprofile files). */
interface Reading {
  atUs: number;
  cpu: CpuMs;
}

export interface CpuRun {
  deliveries: number;
  wallMs: number;
  /** CPU ms over the run, by process. */
  cpuMs: CpuMs;
  /** The run's window on the monotonic clock, in µs: profile-stages.ts keeps the profile samples inside it. */
  monotonicUs: [number, number];
}

/** What run.ts measured for one figure. */
interface MeteredFigure {
  key: string;
  label: string;
  /** CPU ms per second of each process over a quiet moment before the runs: the background the runs stand on. */
  idleMsPerSecond: CpuMs;
  runs: CpuRun[];
}

export interface CpuFigure extends MeteredFigure {
  /** Median over runs of CPU ms per delivery, by process, and of their total (`all`, processes found only). */
  msPerDelivery: CpuMs & { all: number };
  /** Median over runs of total CPU time over wall time: cores kept busy. */
  coresBusy: number;
}

const IDLE_WINDOW_MS = 2_000;

export class CpuMeter {
  private readonly metered: MeteredFigure[] = [];
  /**
   * `pids` is asked at each reading (the dispatcher's pid changes when it restarts); `servers` are the
   * pids of MariaDB and Redis, null where not found (e.g. on another host).
   */
  constructor(
    private readonly pids: () => { dispatcher: number[]; sink: number },
    private readonly servers: { mariadb: number | null; redis: number | null },
  ) {}

  /** The pids read, for the record. */
  get sources(): Record<ProcessName, number | number[] | null | 'process.cpuUsage()'> {
    return { ...this.pids(), ...this.servers, bench: 'process.cpuUsage()' };
  }

  get clockTicksPerSecond(): number {
    return CLOCK_TICKS;
  }

  /**
   * Reads the background over a quiet window, then resolves with `run` wrapped to read the CPU of every
   * process around each call; each call of `run` is to make `deliveries` deliveries.
   */
  async meter<T>(key: string, label: string, deliveries: number, run: () => Promise<T>): Promise<() => Promise<T>> {
    const idleFrom = this.read();
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
    const idle = difference(idleFrom, this.read());
    const figure: MeteredFigure = { key, label, idleMsPerSecond: scale(idle.cpuMs, 1000 / idle.wallMs), runs: [] };
    this.metered.push(figure);
    return async () => {
      const from = this.read();
      const result = await run();
      figure.runs.push({ deliveries, ...difference(from, this.read()) });
      return result;
    };
  }

  get figures(): CpuFigure[] {
    return this.metered.map((figure) => {
      const perDelivery = figure.runs.map((run) => scale(run.cpuMs, 1 / run.deliveries));
      const byProcess = Object.fromEntries(PROCESSES.map((name) => [name, medianOrNull(perDelivery.map((run) => run[name]))])) as CpuMs;
      return {
        ...figure,
        msPerDelivery: { ...byProcess, all: median(perDelivery.map(total)) },
        coresBusy: median(figure.runs.map((run) => total(run.cpuMs) / run.wallMs)),
      };
    });
  }

  private read(): Reading {
    const { dispatcher, sink } = this.pids();
    const { user, system } = process.cpuUsage();
    return {
      atUs: Number(process.hrtime.bigint() / 1000n),
      cpu: {
        dispatcher: sumOrNull(dispatcher.map(processCpuMs)),
        mariadb: this.servers.mariadb === null ? null : processCpuMs(this.servers.mariadb),
        redis: this.servers.redis === null ? null : processCpuMs(this.servers.redis),
        sink: processCpuMs(sink),
        bench: (user + system) / 1000,
      },
    };
  }
}

function difference(from: Reading, to: Reading): Omit<CpuRun, 'deliveries'> {
  const cpuMs = Object.fromEntries(
    PROCESSES.map((name) => {
      const [before, after] = [from.cpu[name], to.cpu[name]];
      return [name, before === null || after === null ? null : after - before];
    }),
  ) as CpuMs;
  return { wallMs: (to.atUs - from.atUs) / 1000, cpuMs, monotonicUs: [from.atUs, to.atUs] };
}

function scale(cpu: CpuMs, factor: number): CpuMs {
  return Object.fromEntries(PROCESSES.map((name) => [name, cpu[name] === null ? null : cpu[name] * factor])) as CpuMs;
}

function total(cpu: CpuMs): number {
  return PROCESSES.reduce((sum, name) => sum + (cpu[name] ?? 0), 0);
}

function sumOrNull(values: (number | null)[]): number | null {
  return values.includes(null) ? null : (values as number[]).reduce((sum, value) => sum + value, 0);
}

function medianOrNull(values: (number | null)[]): number | null {
  return values.includes(null) ? null : median(values as number[]);
}

/** The second table of `npm run bench`: CPU ms per delivery by process, Markdown as the first. */
export function formatCpuTable(figures: readonly CpuFigure[], clockTicksPerSecond: number): string {
  const ms = (value: number | null) => (value === null ? 'n/a' : value.toFixed(value >= 10 ? 1 : value >= 1 ? 2 : 3));
  const heading = ['CPU ms per delivery (median of runs)', 'deliveries a run', ...PROCESSES.map((name) => HEADINGS[name]), 'all', 'cores busy'];
  const rows = figures.map((figure) =>
    [figure.label, figure.runs[0]?.deliveries.toLocaleString('en-US') ?? '', ...PROCESSES.map((name) => ms(figure.msPerDelivery[name])), ms(figure.msPerDelivery.all), figure.coresBusy.toFixed(2)].join(' | '),
  );
  const idle = figures.map((figure) => `${figure.key}: ${PROCESSES.map((name) => `${HEADINGS[name]} ${ms(figure.idleMsPerSecond[name])}`).join(', ')}`);
  return [
    `| ${heading.join(' | ')} |`,
    `| ${heading.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((row) => `| ${row} |`),
    '',
    `utime+stime of all threads from /proc/<pid>/stat (${clockTicksPerSecond} ticks/s; the bench's own from process.cpuUsage()) around each run:` +
      ' for throughput from the first send until every attempt is recorded and the tables are emptied. MariaDB and Redis are shared servers:' +
      ' their figures include any other client. Background before the runs of each figure, CPU ms per second over 2 s with the bench idle:',
    ...idle,
  ].join('\n');
}
