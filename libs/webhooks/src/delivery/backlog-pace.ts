import { cpus } from 'node:os';
import pLimit, { type LimitFunction } from 'p-limit';

/** How often the machine's CPU time is read and the pace set. */
const TICK_MS = 250;
/** Past the ceiling the pace is cut to this share each tick; it grows by one a tick while the cores are below the ceiling by PACE_BAND. */
const CUT_TO = 0.7;
const PACE_BAND = 0.1;
/** The pace never falls under this share of the worker's concurrency, so a drain goes on however busy the machine is. */
const FLOOR_SHARE = 10;

/** CPU time summed over the machine's cores since boot, in ms: how much was busy of how much in all. */
export interface CpuTime {
  busy: number;
  total: number;
}

function machineCpuTime(): CpuTime {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}

/**
 * How many backlog deliveries (the catch-up on overdue rows) run at once in this process: up to the
 * worker's concurrency while the machine's cores have room, fewer while they are busier than `ceiling`
 * (a share of all cores' time), so a long drain takes the CPU that fresh deliveries leave rather than
 * delay them: on 2 cores a drain at full speed made another endpoint's deliveries wait for a core.
 * Additive increase, multiplicative decrease every TICK_MS, as an endpoint's lane (EndpointLanes).
 * A ceiling of 1 never slows the backlog.
 */
export class BacklogPace {
  private readonly limit: LimitFunction;
  private readonly floor: number;
  private last: CpuTime;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly concurrency: number,
    private readonly ceiling: number,
    private readonly cpuTime: () => CpuTime = machineCpuTime,
  ) {
    this.limit = pLimit(concurrency);
    this.floor = Math.max(1, Math.ceil(concurrency / FLOOR_SHARE));
    this.last = cpuTime();
  }

  /** Runs a backlog delivery once the pace lets it. */
  run(delivery: () => Promise<void>): Promise<void> {
    return this.ceiling >= 1 ? delivery() : this.limit(delivery);
  }

  /** How many may run at once now. */
  get allowed(): number {
    return this.limit.concurrency;
  }

  start(): void {
    if (this.ceiling >= 1) return;
    this.timer = setInterval(() => this.adjust(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reads the CPU time since the last reading and sets the pace from it. */
  adjust(): void {
    const now = this.cpuTime();
    const total = now.total - this.last.total;
    const busy = total > 0 ? (now.busy - this.last.busy) / total : 0;
    this.last = now;
    const allowed = this.limit.concurrency;
    if (busy > this.ceiling) this.limit.concurrency = Math.max(this.floor, Math.floor(allowed * CUT_TO));
    else if (busy < this.ceiling - PACE_BAND) this.limit.concurrency = Math.min(this.concurrency, allowed + 1);
  }
}
