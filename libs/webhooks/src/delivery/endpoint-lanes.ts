import type { DeliveryJob } from '../queue/delivery.queue.js';

interface Lane {
  running: number;
  /** How many may run at once now: grows while the endpoint answers quickly, halves when it does not. */
  limit: number;
  /** By job id, so a job queued again (by the sweeper) while it waits is kept once. */
  waiting: Map<string, DeliveryJob>;
}

export type Admission = 'run' | 'wait' | 'full';

/** Endpoints whose deliveries wait in this process while they answer slowly or not at all, and how many wait for them. */
export interface SlowLanes {
  endpointIds: string[];
  waiting: number;
}

/**
 * Bounds the deliveries in flight to each endpoint from this process, so that a slow or hanging
 * endpoint holds a few workers and not all of them. An endpoint starts at `perEndpoint`; each quick
 * answer raises its bound by one up to `maxPerEndpoint` (a busy endpoint that keeps up gets more of an
 * idle worker), and a slow one or none halves it back towards `perEndpoint` (additive increase,
 * multiplicative decrease). A delivery over its endpoint's bound waits here, unclaimed: its row stays
 * `pending`, so if the process dies nothing is lost (the sweeper queues it again), and it starts as
 * soon as an earlier delivery to the same endpoint ends.
 */
export class EndpointLanes {
  private readonly lanes = new Map<string, Lane>();
  private waitingCount = 0;

  constructor(
    private readonly perEndpoint: number,
    private readonly maxPerEndpoint: number,
    private readonly maxWaiting: number,
  ) {}

  /**
   * `run`: the caller runs it now and calls `done` after. `wait`: kept until its endpoint has room.
   * `full`: too many waiting already; the caller drops the job and the sweeper queues its row later.
   */
  admit(job: DeliveryJob): Admission {
    if (this.take(job.endpointId)) return 'run';
    const lane = this.lanes.get(job.endpointId)!;
    const key = laneKey(job);
    if (lane.waiting.has(key)) return 'wait';
    if (this.waitingCount >= this.maxWaiting) return 'full';
    lane.waiting.set(key, job);
    this.waitingCount += 1;
    return 'wait';
  }

  /**
   * A place to run a delivery to `endpointId` now, only if its endpoint has room (nothing waits): the
   * caller runs one and calls `done` after, or calls `done` if it ends up running none.
   */
  take(endpointId: string): boolean {
    const lane = this.lanes.get(endpointId) ?? { running: 0, limit: this.perEndpoint, waiting: new Map<string, DeliveryJob>() };
    this.lanes.set(endpointId, lane);
    if (lane.running >= lane.limit) return false;
    lane.running += 1;
    return true;
  }

  /**
   * A delivery to `endpointId` ended, `quick` telling whether its endpoint answered quickly (undefined:
   * no request was made). Returns the deliveries waiting for it that may run now, in arrival order.
   */
  done(endpointId: string, quick?: boolean): DeliveryJob[] {
    const lane = this.lanes.get(endpointId);
    if (!lane) return [];
    if (quick === true) lane.limit = Math.min(lane.limit + 1, this.maxPerEndpoint);
    if (quick === false) lane.limit = Math.max(Math.floor(lane.limit / 2), this.perEndpoint);
    lane.running -= 1;
    const next: DeliveryJob[] = [];
    for (const [key, job] of lane.waiting) {
      if (lane.running >= lane.limit) break;
      lane.waiting.delete(key);
      this.waitingCount -= 1;
      lane.running += 1;
      next.push(job);
    }
    if (lane.running === 0) this.lanes.delete(endpointId);
    return next;
  }

  /**
   * The endpoints with deliveries waiting whose bound is back at its floor (their last answers were slow,
   * or none came yet): their lines move at their own pace, not the worker's. At most `limit`, the
   * longest lines first.
   */
  slow(limit: number): SlowLanes {
    const slow = [...this.lanes].filter(([, lane]) => lane.waiting.size > 0 && lane.limit === this.perEndpoint);
    slow.sort(([, a], [, b]) => b.waiting.size - a.waiting.size);
    const taken = slow.slice(0, limit);
    return { endpointIds: taken.map(([endpointId]) => endpointId), waiting: taken.reduce((sum, [, lane]) => sum + lane.waiting.size, 0) };
  }

  /** Takes out every waiting delivery (at shutdown, to queue them again for another worker). */
  drain(): DeliveryJob[] {
    const waiting = [...this.lanes.values()].flatMap((lane) => [...lane.waiting.values()]);
    for (const lane of this.lanes.values()) lane.waiting.clear();
    this.waitingCount = 0;
    return waiting;
  }

  get waiting(): number {
    return this.waitingCount;
  }
}

function laneKey({ msgId, endpointId, attempts, slotAt }: DeliveryJob): string {
  return `${msgId}:${endpointId}:${attempts}:${slotAt ?? ''}`;
}
