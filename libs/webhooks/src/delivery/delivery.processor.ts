import { InjectQueue } from '@nestjs/bull';
import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { isDatabaseUnavailable } from '../entities/database-errors.js';
import { BACKLOG_QUEUE, DELIVERY_QUEUE } from '../webhooks.constants.js';
import { InjectWebhooksOptions } from '../webhooks.decorators.js';
import { DeliveryQueue, deliveriesOf, type DeliveryJob, type DeliveryJobData, type LocalReservation } from '../queue/delivery.queue.js';
import { DeliveryService, jobOf } from './delivery.service.js';
import { BacklogPace } from './backlog-pace.js';
import { EndpointLanes, type SlowLanes } from './endpoint-lanes.js';
import type { HttpOutcome } from './webhook-http.client.js';

/** One endpoint starts with this share of the worker's concurrency... */
const ENDPOINT_SHARE = 5;
/** ...and while it answers quickly (within a tenth of the request timeout) may grow to this share. */
const ENDPOINT_MAX_SHARE = 2;
const QUICK_SHARE_OF_TIMEOUT = 10;
/** Deliveries kept waiting for their endpoint, per process; past it they are left to the sweeper. */
const MAX_WAITING = 20_000;
/** Time on top of the request timeout for in-flight deliveries to record their outcome at shutdown. */
const SHUTDOWN_GRACE_MS = 2_000;

/**
 * The worker side of the delivery queue. Registered at bootstrap rather than with `@Process`
 * so that whether this process delivers, and how many at once, are run-time options.
 */
@Injectable()
export class DeliveryProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('HomingDeliveryProcessor');
  private readonly inFlight = new Set<DeliveryJob>();
  /** Deliveries started from an endpoint's waiting line, outside Bull's slots (their jobs have completed). */
  private readonly detached = new Set<Promise<void>>();
  private readonly lanes: EndpointLanes;
  /** Deliveries started from queue jobs at once (a job may carry several). */
  private readonly slots: LimitFunction;
  /** Said once per outage (a delivery that reaches the database ends it). */
  private databaseDown = false;
  private closing = false;
  /** Slots held for deliveries the producer writes claimed (see reserve). */
  private local = 0;
  /** How many of the backlog's deliveries run at once (the rest wait unclaimed), and which deliveries are the backlog's. */
  private readonly pace: BacklogPace;
  private readonly backlog = new WeakSet<DeliveryJob>();

  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJobData>,
    @InjectQueue(BACKLOG_QUEUE) private readonly backlogQueue: Queue<DeliveryJobData>,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly delivery: DeliveryService,
    private readonly deliveryQueue: DeliveryQueue,
  ) {
    const share = (fraction: number) => Math.max(1, Math.ceil(options.concurrency / fraction));
    this.lanes = new EndpointLanes(share(ENDPOINT_SHARE), share(ENDPOINT_MAX_SHARE), MAX_WAITING);
    this.slots = pLimit(options.concurrency);
    this.pace = new BacklogPace(options.concurrency, options.backlogCpuCeiling);
  }

  /** Deliveries this process holds in its endpoints' lines, taken from the queue but not started. */
  get parked(): number {
    return this.lanes.waiting;
  }

  /** The endpoints whose lines here move at their own slow pace (see EndpointLanes.slow). */
  slowLanes(limit: number): SlowLanes {
    return this.lanes.slow(limit);
  }

  onApplicationBootstrap(): void {
    if (!this.options.worker) return;
    const { background } = this.options;
    for (const queue of [...(background === 'only' ? [] : [this.queue]), ...(background ? [this.backlogQueue] : [])]) {
      queue
        .process(this.options.concurrency, (job: Job<DeliveryJobData>) => {
          const jobs = deliveriesOf(job.data);
          if (queue === this.backlogQueue) jobs.forEach((delivery) => this.backlog.add(delivery));
          return this.handle(jobs);
        })
        .catch((error: Error) => this.logger.error(`delivery worker stopped (${queue.name}): ${error.message}`));
    }
    if (background) this.pace.start();
    // A process that does the background work only runs at a lower priority: what it produces itself (an
    // operational event, an ordered line's next head) goes through the queue to the workers that deliver.
    if (background === 'only') return;
    this.deliveryQueue.setLocalWorker({
      take: (jobs) => {
        // As a queue job's would be, but nobody waits for it: a failed delivery's row stays owed for the sweeper.
        void this.handle(jobs).catch((error: unknown) => {
          if (!isDatabaseUnavailable(error)) this.logger.warn(`a new message's delivery failed: ${(error as Error).message}`);
        });
      },
      reserve: (endpointId) => this.reserve(endpointId),
    });
  }

  /**
   * Keeps a slot and a place in the endpoint's lane for a delivery whose row the producer is writing
   * claimed, if both are free now: it must start once written, since its lease runs from the write.
   * Bull's jobs meanwhile get the slots left (`slots.concurrency`).
   */
  private reserve(endpointId: string): LocalReservation | undefined {
    if (this.closing || this.local + this.slots.activeCount + this.slots.pendingCount >= this.options.concurrency) return undefined;
    if (!this.lanes.take(endpointId)) return undefined;
    this.holdLocal(1);
    let ended!: () => void;
    const held = new Promise<void>((resolve) => (ended = resolve));
    this.detached.add(held);
    const end = () => {
      this.holdLocal(-1);
      this.detached.delete(held);
      ended();
    };
    return {
      leaseUntil: this.delivery.leaseUntil(),
      start: (loaded) => {
        const job = jobOf(loaded);
        // Shutting down since: the row goes back to pending, queued for another worker.
        void this.runDetached(job, (sent) => (this.closing ? this.delivery.release([job]) : this.delivery.attempt(loaded, sent))).finally(end);
      },
      cancel: () => {
        end();
        this.startWaiting(this.lanes.done(endpointId));
      },
    };
  }

  /** Slots held by deliveries started (or about to be) outside Bull's jobs. */
  private holdLocal(change: number): void {
    this.local += change;
    this.slots.concurrency = Math.max(1, this.options.concurrency - this.local);
  }

  /** Stops taking jobs, lets in-flight deliveries finish within a bound, and hands back any that do not. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.options.worker) return;
    this.closing = true;
    this.pace.stop();
    this.deliveryQueue.setLocalWorker(undefined);
    // Waiting deliveries were never claimed: queued again, for another worker or the next start.
    await this.deliveryQueue.enqueue(this.lanes.drain());
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.options.requestTimeoutMs + SHUTDOWN_GRACE_MS)));
    const finished = Promise.all([this.queue.close(), this.backlogQueue.close(), ...this.detached]);
    const outcome = await Promise.race([finished.then(() => 'closed' as const), bound]);
    clearTimeout(timer);
    if (outcome === 'timeout' && this.inFlight.size > 0) {
      this.logger.warn(`handing back ${this.inFlight.size} deliveries still in flight at shutdown`);
      await this.delivery.release([...this.inFlight]).catch((error: Error) => this.logger.warn(`hand-back failed (their lease will expire): ${error.message}`));
    }
  }

  /**
   * Runs a queue job's deliveries, as many at once as the concurrency allows; the job ends when they
   * have. A delivery whose endpoint has no room waits in its endpoint's line instead (or, with too many
   * waiting, for the sweeper), so a hanging endpoint does not take every slot. Deliveries not started
   * when shutdown begins are queued again.
   */
  private async handle(jobs: DeliveryJob[]): Promise<void> {
    const unstarted: DeliveryJob[] = [];
    const runs = await Promise.allSettled(
      jobs.map((job) =>
        this.slots(async () => {
          if (this.closing) unstarted.push(job);
          else if (this.lanes.admit(job) === 'run') await this.run(job);
        }),
      ),
    );
    await this.deliveryQueue.enqueue(unstarted);
    const failed = runs.find((run) => run.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Runs the job's delivery in the place its endpoint's lane gave it; `attempt` by default claims its row first. */
  private async run(job: DeliveryJob, attempt = (sent: (outcome: HttpOutcome) => void) => this.delivery.deliver(job, sent)): Promise<void> {
    let ended = false;
    // The endpoint's place is given up as soon as its request is over; recording the outcome needs no place.
    const end = (outcome?: HttpOutcome) => {
      if (ended) return;
      ended = true;
      const quick = outcome ? outcome.statusCode > 0 && outcome.durationMs <= this.options.requestTimeoutMs / QUICK_SHARE_OF_TIMEOUT : undefined;
      this.startWaiting(this.lanes.done(job.endpointId, quick));
    };
    const send = async () => {
      this.inFlight.add(job);
      try {
        await attempt(end);
        this.databaseDown = false;
      } catch (error) {
        if (isDatabaseUnavailable(error)) this.databaseUnreachable(error as Error);
        throw error;
      } finally {
        this.inFlight.delete(job);
      }
    };
    try {
      // A backlog delivery waiting for the pace holds its endpoint's place but not its row (`attempt` claims
      // it), so it is not in flight: shutdown hands back only claimed rows. One let through after shutdown
      // began is left, its row still overdue, to the next catch-up.
      await (this.backlog.has(job) ? this.pace.run(async () => void (this.closing || (await send()))) : send());
    } finally {
      end();
    }
  }

  /** Deliveries let out of their endpoint's line. */
  private startWaiting(next: DeliveryJob[]): void {
    // A job that came in while shutting down waited after the lines were emptied: queued again too.
    if (this.closing) void this.deliveryQueue.enqueue(next);
    else next.forEach((waiting) => this.runDetached(waiting));
  }

  private runDetached(job: DeliveryJob, attempt?: Parameters<DeliveryProcessor['run']>[1]): Promise<void> {
    const running = this.run(job, attempt).catch((error: unknown) => {
      // Its row is still owed: the sweeper queues it again (or frees it when its lease lapses).
      if (!isDatabaseUnavailable(error)) this.logger.warn(`delivery ${job.msgId} to ${job.endpointId} failed: ${(error as Error).message}`);
    });
    this.detached.add(running);
    void running.finally(() => this.detached.delete(running));
    return running;
  }

  /**
   * The worker keeps taking jobs while the database is unreachable: each fails once and is dropped, its
   * row still owed, and the first sweep that reaches the database queues it again. So deliveries resume
   * with the sweeps, within two sweep intervals of the database's return. Not a paused queue: a back-off
   * timer outlasts the outage by up to its cap, and each Bull local pause reconnects Bull's blocking
   * client; one begun while the last reconnect is under way leaves that client closed and the worker idle.
   */
  private databaseUnreachable(error: Error): void {
    if (this.databaseDown) return;
    this.databaseDown = true;
    this.logger.warn(`database unreachable (${error.message}): deliveries wait in it and are queued again by the sweeper once it answers`);
  }
}
