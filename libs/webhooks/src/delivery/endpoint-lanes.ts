import type { DeliveryJob } from './delivery.queue.js';

interface Lane {
  running: number;
  /** By job id, so a job queued again (by the sweeper) while it waits is kept once. */
  waiting: Map<string, DeliveryJob>;
}

export type Admission = 'run' | 'wait' | 'full';

/**
 * Bounds the deliveries in flight to each endpoint from this process, so that a slow or hanging
 * endpoint holds a few workers and not all of them. A delivery over its endpoint's bound waits here,
 * unclaimed: its row stays `pending`, so if the process dies nothing is lost (the sweeper queues it
 * again), and it starts as soon as an earlier delivery to the same endpoint ends.
 */
export class EndpointLanes {
  private readonly lanes = new Map<string, Lane>();
  private waitingCount = 0;

  constructor(
    private readonly perEndpoint: number,
    private readonly maxWaiting: number,
  ) {}

  /**
   * `run`: the caller runs it now and calls `done` after. `wait`: kept until its endpoint has room.
   * `full`: too many waiting already; the caller drops the job and the sweeper queues its row later.
   */
  admit(job: DeliveryJob): Admission {
    const lane = this.lanes.get(job.endpointId) ?? { running: 0, waiting: new Map<string, DeliveryJob>() };
    this.lanes.set(job.endpointId, lane);
    if (lane.running < this.perEndpoint) {
      lane.running += 1;
      return 'run';
    }
    const key = laneKey(job);
    if (lane.waiting.has(key)) return 'wait';
    if (this.waitingCount >= this.maxWaiting) return 'full';
    lane.waiting.set(key, job);
    this.waitingCount += 1;
    return 'wait';
  }

  /** A delivery to `endpointId` ended: returns the next one waiting for it (to run now, in its place), if any. */
  done(endpointId: string): DeliveryJob | undefined {
    const lane = this.lanes.get(endpointId);
    if (!lane) return undefined;
    const next = lane.waiting.entries().next();
    if (!next.done) {
      lane.waiting.delete(next.value[0]);
      this.waitingCount -= 1;
      return next.value[1];
    }
    lane.running -= 1;
    if (lane.running === 0) this.lanes.delete(endpointId);
    return undefined;
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
