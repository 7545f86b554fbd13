import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import type { LoadedDelivery } from '../entities/index.js';
import { BACKLOG_QUEUE, DELIVERY_QUEUE } from '../webhooks.constants.js';

/** A nudge to look at one delivery row; `attempts` pins it to the attempt it was queued for. */
export interface DeliveryJob {
  msgId: string;
  endpointId: string;
  attempts: number;
  /** A throttle slot this job already holds (see DeliveryThrottle). */
  slotAt?: number;
}

export interface DueDelivery extends DeliveryJob {
  dueAt?: Date | null;
}

/** What a queue job carries: one delivery, or several due now. */
export type DeliveryJobData = DeliveryJob | { deliveries: DeliveryJob[] };

export function deliveriesOf(data: DeliveryJobData): DeliveryJob[] {
  return 'deliveries' in data ? data.deliveries : [data];
}

/** How long a caller waits on Redis before leaving the job to the sweeper. */
const REDIS_WAIT_MS = 2_000;
/**
 * Deliveries due now share a job, up to this many: a job costs several Redis round trips and scripts
 * on both sides, the same for one delivery as for fifty. Later ones get a job each (their own delay).
 */
const DUE_NOW_PER_JOB = 50;
/**
 * Redis carries only what is due within this long: a later delivery waits in its row (by nextAttemptAt)
 * and the sweeper queues it as it comes within reach, so Redis' memory does not grow with the backlog.
 */
export const QUEUE_HORIZON_MS = 5_000;

/**
 * A place this process's worker keeps for one new delivery: the producer writes its row already claimed
 * (`sending`, leased until `leaseUntil`), so the worker sends it without claiming or reading it back.
 */
export interface LocalReservation {
  readonly leaseUntil: Date;
  /** The row is written (committed): sends it. */
  start(loaded: LoadedDelivery): void;
  /** The row was not written: gives the place back. */
  cancel(): void;
}

/** This process's worker, when it is one: takes deliveries due now without a trip through Redis. */
export interface LocalWorker {
  /** Deliveries due now whose rows are written pending: claimed as a queue job's are. */
  take(deliveries: DeliveryJob[]): void;
  /** A place for a delivery to this endpoint that starts as its row is written; none while the worker or the endpoint is busy. */
  reserve(endpointId: string): LocalReservation | undefined;
}

@Injectable()
export class DeliveryQueue {
  private readonly logger = new Logger('HomingDeliveryQueue');
  private redisDown = false;
  private localWorker?: LocalWorker;

  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJobData>,
    @InjectQueue(BACKLOG_QUEUE) private readonly backlogQueue: Queue<DeliveryJobData>,
  ) {}

  /**
   * Queues deliveries due within the horizon at their due time; later ones are left to their rows and
   * the sweeper. Never fails the caller: the delivery rows are the record, and what Redis cannot take
   * now (down, slow) the sweeper queues later. A job of one delivery has an id naming the row and
   * attempt, so queueing the same one twice leaves one job; a delivery in two jobs is still attempted
   * once (the claim takes its row once).
   */
  enqueue(deliveries: readonly DueDelivery[]): Promise<void> {
    return this.add(this.queue, deliveries);
  }

  /** Overdue deliveries the sweeper catches up on: for the workers that take the backlog. */
  enqueueBacklog(deliveries: readonly DueDelivery[]): Promise<void> {
    return this.add(this.backlogQueue, deliveries);
  }

  private async add(queue: Queue<DeliveryJobData>, deliveries: readonly DueDelivery[]): Promise<void> {
    const now = Date.now();
    const delayOf = ({ dueAt }: DueDelivery) => (dueAt ? Math.max(0, dueAt.getTime() - now) : 0);
    const dueNow = deliveries.filter((delivery) => delayOf(delivery) === 0).map(jobOf);
    const soon = deliveries.filter((delivery) => delayOf(delivery) > 0 && delayOf(delivery) <= QUEUE_HORIZON_MS);
    const jobs = [
      ...chunks(dueNow, DUE_NOW_PER_JOB).map((chunk) => ({ data: chunk.length === 1 ? chunk[0] : { deliveries: chunk }, delay: 0 })),
      ...soon.map((delivery) => ({ data: jobOf(delivery), delay: delayOf(delivery) })),
    ];
    if (jobs.length === 0) return;
    await this.bounded(queue, `queue ${deliveries.length} deliveries`, () =>
      queue.addBulk(
        jobs.map(({ data, delay }) => ({
          data,
          opts: { jobId: jobIdOf(data), delay, attempts: 1, removeOnComplete: true, removeOnFail: true },
        })),
      ),
    );
  }

  /** Registered by this process's worker at bootstrap, unregistered when it stops taking work. */
  setLocalWorker(worker: LocalWorker | undefined): void {
    this.localWorker = worker;
  }

  /** See LocalWorker.reserve; none in a process that is not a worker (or is shutting down). */
  reserveLocal(endpointId: string): LocalReservation | undefined {
    return this.localWorker?.reserve(endpointId);
  }

  /**
   * A new message's deliveries: in a worker process, those due now go straight to its own worker (a
   * queue job would only bring them back to it, or to another). Their rows are the record: if this
   * process dies first, the sweeper's catch-up queues them (once a sweep interval overdue).
   */
  async enqueueNew(deliveries: readonly DueDelivery[]): Promise<void> {
    const local = this.localWorker;
    if (!local) return this.enqueue(deliveries);
    const now = Date.now();
    const dueNow: DeliveryJob[] = [];
    const later: DueDelivery[] = [];
    for (const delivery of deliveries) {
      if (!delivery.dueAt || delivery.dueAt.getTime() <= now) dueNow.push(jobOf(delivery));
      else later.push(delivery);
    }
    if (dueNow.length > 0) local.take(dueNow);
    if (later.length > 0) await this.enqueue(later);
  }

  /** Backlog jobs waiting for a worker: the sweeper queues a backlog no faster than workers take it. */
  async backlogWaiting(): Promise<number> {
    return (await this.bounded(this.backlogQueue, 'count waiting jobs', () => this.backlogQueue.getWaitingCount())) ?? Number.POSITIVE_INFINITY;
  }

  /** Runs a delivery's queued job now instead of at its due time (or queues it if it has none). */
  async runNow(delivery: DeliveryJob): Promise<void> {
    await this.bounded(this.queue, 'run a delivery now', async () => {
      const job = await this.queue.getJob(jobId(delivery));
      if (job && (await job.isDelayed())) await job.promote();
      else await this.enqueue([delivery]);
    });
  }

  /** Runs `work` on Redis within REDIS_WAIT_MS; undefined when Redis is down or slow (logged, not thrown). */
  private async bounded<T>(queue: Queue<DeliveryJobData>, what: string, work: () => Promise<T>): Promise<T | undefined> {
    // Disconnected: no point queueing commands behind a reconnect; the sweeper covers it.
    if (queue.client.status !== 'ready') {
      if (!this.redisDown) this.logger.warn(`Redis is not connected (${queue.client.status}); due deliveries will be queued by the sweeper`);
      this.redisDown = true;
      return undefined;
    }
    this.redisDown = false;
    let timer: NodeJS.Timeout | undefined;
    const pending = work();
    // If Redis answers after we stopped waiting, the job is queued after all; a late failure is moot.
    pending.catch(() => undefined);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${REDIS_WAIT_MS} ms`)), REDIS_WAIT_MS);
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (error) {
      this.logger.warn(`could not ${what}; the sweeper will: ${(error as Error).message}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

function jobId({ msgId, endpointId, attempts, slotAt }: DeliveryJob): string {
  // A throttled job is queued again while it still runs: its slot gives it an id of its own.
  return `${msgId}:${endpointId}:${attempts}${slotAt === undefined ? '' : `:${slotAt}`}`;
}

function jobIdOf(data: DeliveryJobData): string {
  const deliveries = deliveriesOf(data);
  return deliveries.length === 1 ? jobId(deliveries[0]) : `${jobId(deliveries[0])}+${deliveries.length}`;
}

function jobOf({ msgId, endpointId, attempts, slotAt }: DueDelivery): DeliveryJob {
  return slotAt === undefined ? { msgId, endpointId, attempts } : { msgId, endpointId, attempts, slotAt };
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
