import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import { PeriodicTask } from '../common/periodic-task.js';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { retryingDeadlocks } from '../entities/database-errors.js';
import type { CountKind } from '../entities/index.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { HOUR_MS } from './counts.reader.js';

/** How often workers fold: the change log stays about this many seconds of writes long. */
export const FOLD_INTERVAL_MS = 1_000;
/** Change rows per fold transaction: short row locks on the aggregates, a few kilobytes of SQL. */
const FOLD_BATCH = 2_000;

interface Change {
  id: string;
  kind: CountKind;
  appId: string;
  endpointId: string;
  eventType: string;
  bucket: Date;
  status: string;
  delta: number;
}

/** How a kind's changes land in its aggregate table: its key columns in primary key order, and each change's keys there. */
interface Aggregate {
  table: string;
  columns: string[];
  keys: (change: Change) => unknown[][];
}

const AGGREGATES: Record<CountKind, Aggregate> = {
  delivery: {
    table: 'homing_delivery_counts',
    columns: ['endpointId', 'status', 'hour', 'appId'],
    keys: (change) => [[change.endpointId, change.status, change.bucket, change.appId]],
  },
  attempt: {
    table: 'homing_attempt_counts',
    columns: ['appId', 'span', 'bucket', 'endpointId', 'eventType', 'status'],
    // Counted per five minutes and per hour (see AttemptCountSpan).
    keys: (change) => [
      [change.appId, 5, change.bucket, change.endpointId, change.eventType, change.status],
      [change.appId, 60, new Date(Math.floor(change.bucket.getTime() / HOUR_MS) * HOUR_MS), change.endpointId, change.eventType, change.status],
    ],
  },
};

/**
 * Folds the change log the triggers append to (homing_count_changes, see migration 1765300000000) into
 * the aggregate tables, on workers that do the background work every FOLD_INTERVAL_MS. Each batch is one READ COMMITTED transaction
 * that takes the oldest change rows no one else holds (SKIP LOCKED: rows of a writer's transaction not
 * committed yet are left for a later fold; two folders take disjoint rows), adds their sums to the
 * aggregates (keys sorted, so concurrent folders lock them in one order), deletes aggregate rows that
 * fell to 0 and the folded change rows, and commits: a read sees a change either in the log or in the
 * aggregates, never in both.
 */
@Injectable()
export class CountsFolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HomingCountsFolder');
  /** Whether the last run failed: said once when it begins, not every second. */
  private failing = false;
  private readonly task = new PeriodicTask(
    async () => {
      await this.foldAll();
      this.failing = false;
    },
    (error) => {
      if (!this.failing) this.logger.warn(`folding statistics counts failed, retrying every ${FOLD_INTERVAL_MS} ms: ${error.message}`);
      this.failing = true;
    },
  );

  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.background) this.task.start(FOLD_INTERVAL_MS);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Folds batch after batch while batches come back full; returns how many change rows it folded. */
  async foldAll(batch = FOLD_BATCH): Promise<number> {
    let total = 0;
    for (let folded = batch; folded === batch; total += folded) folded = await this.fold(batch);
    return total;
  }

  /** Folds one batch of at most `limit` change rows; returns how many it folded. */
  fold(limit = FOLD_BATCH): Promise<number> {
    return retryingDeadlocks(async () => {
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction('READ COMMITTED');
        const changes = await this.take(runner, limit);
        for (const kind of Object.keys(AGGREGATES) as CountKind[]) await this.add(runner, AGGREGATES[kind], changes.filter((change) => change.kind === kind));
        // Joined from the list by primary key: a plain `id IN (...)` over a short log is planned as a scan, which would wait on rows of open transactions.
        if (changes.length > 0) {
          await runner.query(
            "DELETE c FROM JSON_TABLE(?, '$[*]' COLUMNS (`id` bigint PATH '$')) folded STRAIGHT_JOIN `homing_count_changes` c ON c.`id` = folded.`id`",
            [`[${changes.map((change) => change.id).join(',')}]`],
          );
        }
        await runner.commitTransaction();
        return changes.length;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        throw error;
      } finally {
        await runner.release();
      }
    });
  }

  private async take(runner: QueryRunner, limit: number): Promise<Change[]> {
    const rows: (Omit<Change, 'id' | 'delta'> & { id: string | number; delta: string | number })[] = await runner.query(
      'SELECT `id`, `kind`, `appId`, `endpointId`, `eventType`, `bucket`, `status`, `delta` FROM `homing_count_changes` ORDER BY `id` LIMIT ? FOR UPDATE SKIP LOCKED',
      [limit],
    );
    return rows.map((row) => ({ ...row, id: BigInt(row.id).toString(), delta: Number(row.delta) }));
  }

  /** Adds the changes' sums to the aggregate, one upsert, and deletes the rows they brought to 0. */
  private async add(runner: QueryRunner, aggregate: Aggregate, changes: Change[]): Promise<void> {
    const sums = new Map<string, { key: unknown[]; delta: number }>();
    for (const change of changes) {
      for (const key of aggregate.keys(change)) {
        const id = key.map((part) => (part instanceof Date ? part.getTime() : part)).join('\n');
        const sum = sums.get(id) ?? sums.set(id, { key, delta: 0 }).get(id)!;
        sum.delta += change.delta;
      }
    }
    const moved = [...sums.values()].filter((sum) => sum.delta !== 0).sort((a, b) => compareKeys(a.key, b.key));
    if (moved.length === 0) return;
    const columns = aggregate.columns.map((column) => `\`${column}\``).join(', ');
    const tuple = `(${aggregate.columns.map(() => '?').join(', ')}, ?)`;
    await runner.query(
      `INSERT INTO \`${aggregate.table}\` (${columns}, \`count\`) VALUES ${moved.map(() => tuple).join(', ')} ON DUPLICATE KEY UPDATE \`count\` = \`count\` + VALUES(\`count\`)`,
      moved.flatMap((sum) => [...sum.key, sum.delta]),
    );
    // Only a negative sum can bring a count to 0: deleting those rows keeps the tables as small as what they count.
    const fallen = moved.filter((sum) => sum.delta < 0);
    if (fallen.length === 0) return;
    const match = `(${aggregate.columns.map((column) => `\`${column}\` = ?`).join(' AND ')})`;
    await runner.query(`DELETE FROM \`${aggregate.table}\` WHERE \`count\` = 0 AND (${fallen.map(() => match).join(' OR ')})`, fallen.flatMap((sum) => sum.key));
  }
}

/** Primary key order: text byte for byte (the columns' binary collation; ids are ASCII), times by time, numbers by value. */
function compareKeys(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const [x, y] = a[i] instanceof Date ? [(a[i] as Date).getTime(), (b[i] as Date).getTime()] : [a[i] as string | number, b[i] as string | number];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
