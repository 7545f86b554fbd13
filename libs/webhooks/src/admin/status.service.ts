import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { CountsReader } from '../statistics/counts.reader.js';
import { BACKLOG_QUEUE, DELIVERY_QUEUE } from '../webhooks.constants.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';

/** A probe that has not answered by then counts as down. */
const PROBE_TIMEOUT_MS = 2_000;

export interface StoresHealth {
  database: boolean;
  redis: boolean;
}

/** Jobs in the delivery queue by state. */
export interface QueueDepth {
  waiting: number;
  delayed: number;
  active: number;
}

/** How the module's stores are doing and how much work it has: for health checks and metrics. */
@Injectable()
export class StatusService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue,
    @InjectQueue(BACKLOG_QUEUE) private readonly backlogQueue: Queue,
    private readonly counts: CountsReader,
  ) {}

  /** Asks the database and Redis for real. */
  async health(): Promise<StoresHealth> {
    const [database, redis] = await Promise.all([
      answers(() => this.dataSource.query('SELECT 1')),
      answers(() => this.queue.client.ping()),
    ]);
    return { database, redis };
  }

  /** Of both queues: new deliveries and retries, and the backlog the sweeper catches up on. */
  async queueDepth(): Promise<QueueDepth> {
    const [main, backlog] = await Promise.all([this.queue.getJobCounts(), this.backlogQueue.getJobCounts()]);
    return { waiting: main.waiting + backlog.waiting, delayed: main.delayed + backlog.delayed, active: main.active + backlog.active };
  }

  /**
   * Deliveries not yet settled (pending or being sent), from the statistics counts: read at every metrics
   * scrape, it costs a range of the counts of owed deliveries, not a count of a backlog's rows.
   */
  owedDeliveries(): Promise<number> {
    return this.counts.owedDeliveries();
  }
}

async function answers(probe: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
  try {
    return await Promise.race([probe().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
