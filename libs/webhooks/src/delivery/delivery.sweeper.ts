import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { DeliveryEntity } from '../entities/index.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { DeliveryQueue, QUEUE_HORIZON_MS, type DueDelivery } from '../queue/delivery.queue.js';
import { PeriodicTask } from '../common/periodic-task.js';
import { DeliveryProcessor } from './delivery.processor.js';
import { DeliveryLines } from '../store/delivery-lines.js';

/** Rows read per query. */
const BATCH = 1000;
/** A pass queues at most this many deliveries coming due; the rest wait for the next pass (or, once overdue, the catch-up). */
const UPCOMING_PER_PASS = 10_000;
/**
 * A backlog (after an outage, an endpoint's return, a Redis flush) moves from the table to the backlog
 * queue in steps of CATCH_UP_STEP rows every CATCH_UP_TICK_MS while it lasts, at the pace workers take
 * it: no step while MAX_WAITING_JOBS jobs wait for a worker, nor past MAX_PARKED deliveries in this
 * worker's endpoint lines. A worker takes jobs faster
 * than it sends (it parks what it cannot start), so the lines, not the queue, say it has enough: past
 * them it would drop deliveries, and read and queue them again, for nothing but CPU. One large step
 * (a pass of 5,000 rows, as before) kept a worker busy with a hundred jobs' claims at once.
 */
const CATCH_UP_STEP = 500;
const CATCH_UP_TICK_MS = 100;
const MAX_WAITING_JOBS = 20;
const MAX_PARKED = 5_000;
/**
 * When slow endpoints' lines fill the worker's MAX_PARKED, the catch-up goes on for the other endpoints
 * by a scan that leaves out at most this many of them (a hanging endpoint's line moves a few deliveries
 * per request timeout, and would otherwise hold every other endpoint's backlog behind it).
 */
const MAX_SLOW_LEFT_OUT = 200;
/** How often a worker reads the schedule (or every sweep interval, if shorter). */
const TICK_MS = 1_000;

/** A place in the schedule's order: (nextAttemptAt, msgId, endpointId), the order of IDX_homing_deliveries_due. */
interface Cursor {
  at: Date;
  msgId: string;
  endpointId: string;
}

type Due = Pick<DeliveryEntity, 'msgId' | 'endpointId' | 'attempts' | 'nextAttemptAt' | 'throttleSlotAt'>;

/**
 * The database is the schedule: a delivery waits in its row until `nextAttemptAt`, and Redis carries
 * only what is due within QUEUE_HORIZON_MS. Each pass (every second on every worker):
 * - queues the rows that came within the horizon since the last pass (a cursor through the schedule);
 * - catches up on overdue rows that no job carries (never queued, Redis flushed, enqueue failed while
 *   Redis or the database was down, a backlog held back), in small steps as fast as workers take them,
 *   by a second cursor that starts over once it reaches the end (on workers that take the backlog);
 * - frees rows whose worker died mid-attempt;
 * - moves ordered endpoints' lines whose worker died between ending the head and making the next due.
 * Replicas sweep independently: a delivery queued twice has one job (job ids name the attempt), and a
 * row is claimed once. It is also what ends a database outage for the workers.
 */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HomingSweeper');
  /** Whether the last pass failed: an outage is reported when it begins and when it ends, not every pass. */
  private failing = false;
  /** Up to where rows coming due have been queued. */
  private upcoming?: Cursor;
  /** Where the catch-up scan of overdue rows goes on from; undefined: from the start. */
  private overdue?: Cursor;
  /** Where the scan for the endpoints other than the slow ones goes on from, while slow ones fill the lines. */
  private others?: Cursor;
  /** When that scan, having reached the end, may start over (once per pass, not every catch-up tick). */
  private othersRestAt = 0;
  /** Whether the catch-up may have more to queue: its steps go on every CATCH_UP_TICK_MS until it has not. */
  private behind = false;
  private step?: Promise<number>;
  private readonly task = new PeriodicTask(
    async () => {
      const queued = await this.sweep();
      if (this.failing) this.logger.log(`sweeping again: ${queued} owed deliveries queued`);
      this.failing = false;
    },
    (error) => this.failed(error),
  );
  private readonly catchUpTask = new PeriodicTask(
    async () => {
      if (this.behind) await this.catchUp(new Date());
    },
    (error) => this.failed(error),
  );

  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly queue: DeliveryQueue,
    private readonly processor: DeliveryProcessor,
    private readonly lines: DeliveryLines,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.worker) return;
    this.task.start(this.tickMs);
    if (this.options.background) this.catchUpTask.start(Math.min(CATCH_UP_TICK_MS, this.tickMs));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.task.stop(), this.catchUpTask.stop()]);
  }

  private failed(error: Error): void {
    if (!this.failing) this.logger.warn(`sweep failed, retrying every ${this.tickMs} ms: ${error.message}`);
    this.failing = true;
  }

  private get tickMs(): number {
    return Math.min(TICK_MS, this.options.sweepIntervalMs);
  }

  /** One pass; returns how many deliveries it queued. */
  async sweep(now = new Date()): Promise<number> {
    // A lapsed lease means its worker died mid-attempt. The interrupted attempt counts (it may have
    // reached the receiver), which also gives the row a job id that no stalled job of the dead worker holds.
    await this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder()
      .update()
      .set({ status: 'pending', attempts: () => 'attempts + 1', nextAttemptAt: now, leaseUntil: null, updatedAt: now })
      .where({ status: 'sending', leaseUntil: LessThan(now) })
      .execute();
    await this.lines.advanceStalled();
    // The catch-up is the backlog's: it runs where the backlog is taken, and its pace is those lines'.
    return (await this.queueUpcoming(now)) + (this.options.background ? await this.catchUp(now) : 0);
  }

  /** Queues rows due within the horizon that the last passes had not reached (their writers queued the ones due sooner). */
  private async queueUpcoming(now: Date): Promise<number> {
    const until = new Date(now.getTime() + QUEUE_HORIZON_MS);
    // Rows overdue by more than a sweep interval are the catch-up's (on start, or after passes failed).
    const overdueBefore = start(new Date(now.getTime() - this.options.sweepIntervalMs));
    let from = this.upcoming && this.upcoming.at > overdueBefore.at ? this.upcoming : overdueBefore;
    let queued = 0;
    while (queued < UPCOMING_PER_PASS) {
      const rows = await this.dueAfter(from, until);
      await this.queue.enqueue(rows.map(dueDelivery));
      queued += rows.length;
      if (rows.length < BATCH) {
        from = start(until);
        break;
      }
      from = cursorOf(rows[rows.length - 1]);
    }
    this.upcoming = from;
    return queued;
  }

  /**
   * One step of the catch-up on overdue rows, if workers have room for it (one at a time: the sweep
   * and the catch-up's own ticks share the cursor). Rows due within the last sweep interval are most
   * likely still queued; they are left to their jobs.
   */
  private catchUp(now: Date): Promise<number> {
    this.step ??= this.catchUpStep(now).finally(() => (this.step = undefined));
    return this.step;
  }

  private async catchUpStep(now: Date): Promise<number> {
    this.behind = true;
    if ((await this.queue.backlogWaiting()) >= MAX_WAITING_JOBS) return 0;
    const until = new Date(now.getTime() - this.options.sweepIntervalMs);
    const room = Math.min(CATCH_UP_STEP, MAX_PARKED - this.processor.parked);
    if (room <= 0) return this.catchUpOthers(now, until);
    const rows = await this.dueAfter(this.overdue, until, room);
    await this.queue.enqueueBacklog(rows.map(dueDelivery));
    // At the end of the schedule the scan starts over, from the next sweep.
    this.overdue = rows.length < room ? undefined : cursorOf(rows[rows.length - 1]);
    this.behind = this.overdue !== undefined;
    return rows.length;
  }

  /**
   * The lines are full. If slow endpoints fill them, the other endpoints' overdue rows are queued by a
   * scan of their own that leaves the slow ones out; the main scan waits where it is, so the slow
   * endpoints' rows are taken in order once their lines move. Rows this scan queues and are delivered
   * are no longer pending when the main scan reaches them.
   */
  private async catchUpOthers(now: Date, until: Date): Promise<number> {
    const slow = this.processor.slowLanes(MAX_SLOW_LEFT_OUT);
    const room = Math.min(CATCH_UP_STEP, MAX_PARKED - (this.processor.parked - slow.waiting));
    if (slow.endpointIds.length === 0 || room <= 0 || (!this.others && now.getTime() < this.othersRestAt)) return 0;
    const rows = await this.dueAfter(this.others, until, room, slow.endpointIds);
    await this.queue.enqueueBacklog(rows.map(dueDelivery));
    this.others = rows.length < room ? undefined : cursorOf(rows[rows.length - 1]);
    if (!this.others) this.othersRestAt = now.getTime() + this.tickMs;
    return rows.length;
  }

  /** Pending rows due by `until`, after `after` in the schedule's order (a range of IDX_homing_deliveries_due), but those of `leftOut`. */
  private dueAfter(after: Cursor | undefined, until: Date, limit = BATCH, leftOut: string[] = []): Promise<Due[]> {
    const query = this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .select(['d.msgId', 'd.endpointId', 'd.attempts', 'd.nextAttemptAt', 'd.throttleSlotAt'])
      .where("d.status = 'pending' AND d.nextAttemptAt <= :until", { until })
      .orderBy('d.nextAttemptAt', 'ASC')
      .addOrderBy('d.msgId', 'ASC')
      .addOrderBy('d.endpointId', 'ASC')
      .limit(limit);
    if (after) {
      query.andWhere('(d.nextAttemptAt > :at OR (d.nextAttemptAt = :at AND (d.msgId > :msgId OR (d.msgId = :msgId AND d.endpointId > :endpointId))))', after);
    }
    if (leftOut.length > 0) query.andWhere('d.endpointId NOT IN (:...leftOut)', { leftOut });
    return query.getMany();
  }
}

function start(at: Date): Cursor {
  return { at, msgId: '', endpointId: '' };
}

function cursorOf(row: Due): Cursor {
  return { at: row.nextAttemptAt!, msgId: row.msgId, endpointId: row.endpointId };
}

/** The job for a row: due at its time, under the id its writer gave it (a throttled row's names its slot). */
function dueDelivery({ msgId, endpointId, attempts, nextAttemptAt, throttleSlotAt }: Due): DueDelivery {
  return { msgId, endpointId, attempts, dueAt: nextAttemptAt, ...(throttleSlotAt ? { slotAt: throttleSlotAt.getTime() } : {}) };
}
