import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AttemptCountSpan, AttemptStatus, DeliveryCountStatus, DeliveryStatus } from '../entities/index.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';

export const HOUR_MS = 3_600_000;
/** The attempt counts' bucket: STATISTICS_PERIODS' finest period. */
export const FIVE_MINUTES_MS = 300_000;

const COUNTED: DeliveryCountStatus[] = ['pending', 'retrying', 'success', 'failed', 'canceled'];
/** A delivery being sent, as the kind of owed delivery it counts as (DeliveryCountStatus). */
const SENDING_KIND = "IF(d.`attempts` > 0 AND d.`trigger` = 'scheduled', 'retrying', 'pending')";

/** A window of whole buckets: [since, until). */
export interface Buckets {
  since: Date;
  until: Date;
}

/** [since, until) widened to whole buckets of `step` ms (UTC). */
export function widen(since: Date, until: Date, step: number): Buckets {
  return { since: new Date(Math.floor(since.getTime() / step) * step), until: new Date(Math.ceil(until.getTime() / step) * step) };
}

/** An endpoint's deliveries by status within a window, and those waiting on a retry whatever the window. */
export interface DeliveryCounts extends Record<DeliveryStatus, number> {
  /**
   * Deliveries owed a scheduled retry (pending, attempted at least once, by the schedule: not a resend
   * or recover, which get one manual attempt) that no worker is sending right now: those waiting for
   * their retry's time and those whose time has come and that wait for a worker.
   */
  waitingRetry: number;
}

/** A range of attempt counts of one span (AttemptCountSpan): [since, until) of whole spans. */
interface SpanRange extends Buckets {
  span: AttemptCountSpan;
}

/** Attempts to this endpoint only; of messages of these event types only. */
export interface AttemptFilters {
  endpointId?: string | null;
  eventTypes?: string[] | null;
}

/**
 * Reads of the statistics counts: the aggregates plus the changes not folded yet of the same keys, in one
 * statement (one read view, so a fold committing meanwhile is seen whole or not at all): exact at read time.
 */
@Injectable()
export class CountsReader {
  constructor(@InjectWebhooksDataSource() private readonly dataSource: DataSource) {}

  /**
   * The endpoint's deliveries by status, of those created within `hours` (whole hours; all of them when
   * null). Those being sent are counted from the rows themselves: as many as the workers have in flight.
   */
  async deliveries(endpoint: { id: string; appId: string }, hours: Buckets | null): Promise<DeliveryCounts> {
    const within = (column: string) => (hours ? ` AND ${column} >= ? AND ${column} < ?` : '');
    const window = hours ? [hours.since, hours.until] : [];
    const sending = "FROM `homing_deliveries` d WHERE d.`endpointId` = ? AND d.`status` = 'sending'";
    const rows: { scope: 'window' | 'all'; status: DeliveryStatus | 'retrying'; n: string }[] = await this.dataSource.query(
      'SELECT `scope`, `status`, SUM(`n`) AS `n` FROM (' +
        `SELECT 'window' AS \`scope\`, \`status\`, \`count\` AS \`n\` FROM \`homing_delivery_counts\` WHERE \`endpointId\` = ? AND \`status\` IN (${COUNTED.map(() => '?').join(', ')})${within('`hour`')} ` +
        `UNION ALL SELECT 'window', \`status\`, \`delta\` FROM \`homing_count_changes\` WHERE \`appId\` = ? AND \`kind\` = 'delivery'${within('`bucket`')} AND \`endpointId\` = ? ` +
        `UNION ALL SELECT 'all', 'retrying', \`count\` FROM \`homing_delivery_counts\` WHERE \`endpointId\` = ? AND \`status\` = 'retrying' ` +
        "UNION ALL SELECT 'all', 'retrying', `delta` FROM `homing_count_changes` WHERE `appId` = ? AND `kind` = 'delivery' AND `endpointId` = ? AND `status` = 'retrying' " +
        // Being sent: counted as `sending` instead of the kind it counts as, and not waiting on anything.
        `UNION ALL SELECT 'window', 'sending', COUNT(*) ${sending}${within('d.`createdAt`')} ` +
        `UNION ALL SELECT 'window', ${SENDING_KIND}, -COUNT(*) ${sending}${within('d.`createdAt`')} GROUP BY 2 ` +
        `UNION ALL SELECT 'all', 'retrying', -COUNT(*) ${sending} AND d.\`attempts\` > 0 AND d.\`trigger\` = 'scheduled'` +
        ') counted GROUP BY `scope`, `status`',
      [
        ...[endpoint.id, ...COUNTED, ...window],
        ...[endpoint.appId, ...window, endpoint.id],
        endpoint.id,
        ...[endpoint.appId, endpoint.id],
        ...[endpoint.id, ...window],
        ...[endpoint.id, ...window],
        endpoint.id,
      ],
    );
    const counts: DeliveryCounts = { pending: 0, sending: 0, success: 0, failed: 0, canceled: 0, waitingRetry: 0 };
    for (const { scope, status, n } of rows) {
      if (scope === 'all') counts.waitingRetry += Number(n);
      else counts[status === 'retrying' ? 'pending' : status] += Number(n);
    }
    return counts;
  }

  /** Deliveries created within `hours` (whole hours), per application of `appIds`. */
  async deliveriesByApplication(appIds: string[], hours: Buckets): Promise<Map<string, number>> {
    if (appIds.length === 0) return new Map();
    const apps = appIds.map(() => '?').join(', ');
    const rows: { appId: string; n: string }[] = await this.dataSource.query(
      'SELECT `appId`, SUM(`n`) AS `n` FROM (' +
        `SELECT \`appId\`, \`count\` AS \`n\` FROM \`homing_delivery_counts\` WHERE \`appId\` IN (${apps}) AND \`hour\` >= ? AND \`hour\` < ? ` +
        `UNION ALL SELECT \`appId\`, \`delta\` FROM \`homing_count_changes\` WHERE \`appId\` IN (${apps}) AND \`kind\` = 'delivery' AND \`bucket\` >= ? AND \`bucket\` < ?` +
        ') counted GROUP BY `appId`',
      [...appIds, hours.since, hours.until, ...appIds, hours.since, hours.until],
    );
    return new Map(rows.map((row) => [row.appId, Number(row.n)]));
  }

  /** Deliveries pending or being sent, over every endpoint. */
  async owedDeliveries(): Promise<number> {
    const [{ n }]: { n: string | null }[] = await this.dataSource.query(
      'SELECT SUM(`n`) AS `n` FROM (' +
        "SELECT `count` AS `n` FROM `homing_delivery_counts` WHERE `status` IN ('pending', 'retrying') " +
        "UNION ALL SELECT `delta` FROM `homing_count_changes` WHERE `kind` = 'delivery' AND `status` IN ('pending', 'retrying')" +
        ') counted',
    );
    return Number(n ?? 0);
  }

  /**
   * The application's attempts (filtered as `filters` say) made within `buckets` (whole periods), per period
   * of `step` ms from `buckets.since` (five minutes, or whole hours: then read from the hourly counts) and status.
   */
  async attemptsPerPeriod(appId: string, buckets: Buckets, step: number, filters: AttemptFilters = {}): Promise<{ period: number; status: AttemptStatus; count: number }[]> {
    const spans: SpanRange[] = [{ span: step % HOUR_MS === 0 ? 60 : 5, ...buckets }];
    const rows = await this.attempts<{ period: string }>('FLOOR(TIMESTAMPDIFF(SECOND, ?, `bucket`) / ?)', [buckets.since, step / 1000], 'period', appId, buckets, spans, filters);
    return rows.map((row) => ({ period: Number(row.period), status: row.status, count: Number(row.n) }));
  }

  /**
   * The application's attempts (filtered as `filters` say) made within `buckets` (whole five minutes), per event
   * type and status: the whole hours inside from the hourly counts, the five minutes at either end from the finer ones.
   */
  async attemptsPerEventType(appId: string, buckets: Buckets, filters: AttemptFilters = {}): Promise<{ eventType: string; status: AttemptStatus; count: number }[]> {
    const hours = { since: new Date(Math.ceil(buckets.since.getTime() / HOUR_MS) * HOUR_MS), until: new Date(Math.floor(buckets.until.getTime() / HOUR_MS) * HOUR_MS) };
    const spans: SpanRange[] =
      hours.since < hours.until
        ? [
            { span: 5, since: buckets.since, until: hours.since },
            { span: 60, ...hours },
            { span: 5, since: hours.until, until: buckets.until },
          ]
        : [{ span: 5, ...buckets }];
    const rows = await this.attempts<{ eventType: string }>('`eventType`', [], 'eventType', appId, buckets, spans, filters);
    return rows.map((row) => ({ eventType: row.eventType, status: row.status, count: Number(row.n) }));
  }

  /**
   * Attempt counts grouped by `group` (an expression over the counts' columns, named `name`) and status: the
   * aggregate rows of `spans` and the changes not folded yet within `buckets`.
   */
  private async attempts<G>(
    group: string,
    groupParameters: unknown[],
    name: string,
    appId: string,
    buckets: Buckets,
    spans: SpanRange[],
    filters: AttemptFilters,
  ): Promise<(G & { status: AttemptStatus; n: string })[]> {
    let narrowed = '';
    const narrowing: unknown[] = [];
    if (filters.endpointId) {
      narrowed += ' AND `endpointId` = ?';
      narrowing.push(filters.endpointId);
    }
    if (filters.eventTypes?.length) {
      narrowed += ` AND \`eventType\` IN (${filters.eventTypes.map(() => '?').join(', ')})`;
      narrowing.push(...filters.eventTypes);
    }
    const ranges = spans.filter((range) => range.since < range.until);
    const inSpans = ranges.map(() => '(`span` = ? AND `bucket` >= ? AND `bucket` < ?)').join(' OR ') || 'FALSE';
    return this.dataSource.query(
      `SELECT ${group} AS \`${name}\`, \`status\`, SUM(\`n\`) AS \`n\` FROM (` +
        `SELECT \`bucket\`, \`eventType\`, \`status\`, \`count\` AS \`n\` FROM \`homing_attempt_counts\` WHERE \`appId\` = ? AND (${inSpans})${narrowed} ` +
        `UNION ALL SELECT \`bucket\`, \`eventType\`, \`status\`, \`delta\` FROM \`homing_count_changes\` WHERE \`appId\` = ? AND \`kind\` = 'attempt' AND \`bucket\` >= ? AND \`bucket\` < ?${narrowed}` +
        `) counted GROUP BY \`${name}\`, \`status\` HAVING \`n\` <> 0`,
      [
        ...groupParameters,
        ...[appId, ...ranges.flatMap((range) => [range.span, range.since, range.until]), ...narrowing],
        ...[appId, buckets.since, buckets.until, ...narrowing],
      ],
    );
  }
}
