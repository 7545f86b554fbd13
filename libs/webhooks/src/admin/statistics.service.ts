import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, In, MoreThan, type SelectQueryBuilder } from 'typeorm';
import { idFirst } from '../common/lookup.js';
import { ApplicationEntity, EndpointEntity, type AttemptStatus } from '../entities/index.js';
import { NotFoundError, ValidationError } from '../exceptions/homing-errors.js';
import {
  AttemptSeriesInput,
  AttemptTotalsInput,
  DAY_MS,
  MAX_STATISTICS_DAYS,
  STATISTICS_PERIODS,
  UsageInput,
  type StatisticsPeriod,
} from '../inputs/statistics.input.js';
import { validateInput } from '../inputs/validation.js';
import { findApplication } from '../store/application-lookup.js';
import { CountsReader, FIVE_MINUTES_MS, HOUR_MS, widen } from '../statistics/counts.reader.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';

export interface AttemptCounts {
  success: number;
  /** Attempts that failed, retries included. */
  failure: number;
  /** Deliveries cancelled (`RecoveryService.cancel`): each is recorded as one cancelled attempt. */
  canceled: number;
}

/** Attempts per period: entry i counts the period starting i periods after `since`. */
export interface AttemptSeries {
  /** The window counted: the one asked for, widened to whole periods (UTC). */
  since: Date;
  until: Date;
  period: StatisticsPeriod;
  success: number[];
  failure: number[];
  canceled: number[];
}

export interface AttemptTotals extends AttemptCounts {
  since: Date;
  until: Date;
  byEventType: Record<string, AttemptCounts>;
}

export interface ApplicationUsage {
  appId: string;
  appUid: string | null;
  /** Messages times the endpoints each was to be delivered to. */
  messageDestinations: number;
}

export interface EventTypeSubscriptions {
  appId: string;
  /** The event types (and `.*` subtrees) its endpoints filter on, sorted. */
  explicitlySubscribedEventTypes: string[];
  /** Whether one of its endpoints takes every event type. */
  hasCatchAllEndpoint: boolean;
}

export interface EndpointCounts {
  active: number;
  disabled: number;
}

/** Applications (or endpoints) per query of an aggregation over all of them. */
const BATCH = 500;

/**
 * Counts over what was sent and attempted, from the statistics counts (statistics/counts.reader.ts): a
 * range of the aggregates and of the changes not folded yet, whatever the number of rows they count.
 */
@Injectable()
export class StatisticsService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    private readonly counts: CountsReader,
  ) {}

  /**
   * The application's delivery attempts (or those to one of its endpoints), succeeded, failed and cancelled, period
   * by period (a day by default) over the last 28 days or the window given, widened to whole periods (UTC).
   */
  async attemptSeries(appIdOrUid: string, input: AttemptSeriesInput = {}): Promise<AttemptSeries> {
    const valid = await validateInput(AttemptSeriesInput, input);
    const { id } = await this.application(appIdOrUid);
    const endpointId = valid.endpointId ? await this.endpointOf(id, valid.endpointId) : null;
    const period = valid.period ?? 'OneDay';
    const step = STATISTICS_PERIODS[period];
    const window = windowOf(valid);
    const { since, until } = widen(window.since, window.until, step);
    const periods = (until.getTime() - since.getTime()) / step;
    const series: AttemptSeries = { since, until, period, success: zeros(periods), failure: zeros(periods), canceled: zeros(periods) };
    for (const row of await this.counts.attemptsPerPeriod(id, { since, until }, step, { endpointId, eventTypes: valid.eventTypes })) {
      series[countOf(row.status)][row.period] += row.count;
    }
    return series;
  }

  /**
   * The application's delivery attempts within the last 28 days or the window given, in total and by event type.
   * Attempts are counted per five minutes: those of the five minutes `since` and `until` fall in count whole
   * (the window answered is the one asked for).
   */
  async attemptTotals(appIdOrUid: string, input: AttemptTotalsInput = {}): Promise<AttemptTotals> {
    const valid = await validateInput(AttemptTotalsInput, input);
    const { id } = await this.application(appIdOrUid);
    const { since, until } = windowOf(valid);
    const totals: AttemptTotals = { since, until, success: 0, failure: 0, canceled: 0, byEventType: {} };
    for (const row of await this.counts.attemptsPerEventType(id, widen(since, until, FIVE_MINUTES_MS), { eventTypes: valid.eventTypes })) {
      // Attempts whose message was deleted before them have no event type left; counting rows left them out too.
      if (row.eventType === '') continue;
      const counts = (totals.byEventType[row.eventType] ??= { success: 0, failure: 0, canceled: 0 });
      counts[countOf(row.status)] += row.count;
      totals[countOf(row.status)] += row.count;
    }
    return totals;
  }

  /** Endpoints enabled and disabled, over every application; `excludeSvixPlay` leaves out those posting to play.svix.com. */
  async endpointCounts(options: { excludeSvixPlay?: boolean } = {}): Promise<EndpointCounts> {
    const query = this.dataSource
      .getRepository(EndpointEntity)
      .createQueryBuilder('ep')
      .select('COALESCE(SUM(ep.disabled = 0), 0)', 'active')
      .addSelect('COALESCE(SUM(ep.disabled = 1), 0)', 'disabled');
    if (options.excludeSvixPlay) excludeSvixPlay(query);
    const row = (await query.getRawOne<{ active: string; disabled: string }>())!;
    return { active: Number(row.active), disabled: Number(row.disabled) };
  }

  /** Applications with at least one endpoint (an enabled one, with `excludeDisabled`). */
  async countActiveApplications(options: { excludeSvixPlay?: boolean; excludeDisabled?: boolean } = {}): Promise<number> {
    const query = this.dataSource.getRepository(EndpointEntity).createQueryBuilder('ep').select('COUNT(DISTINCT ep.appId)', 'count');
    if (options.excludeSvixPlay) excludeSvixPlay(query);
    if (options.excludeDisabled) query.andWhere('ep.disabled = 0');
    return Number((await query.getRawOne<{ count: string }>())!.count);
  }

  /**
   * The applications that ids or uids name (an id wins, as everywhere), and the names that found none;
   * a ValidationError on `appIds` when names were given and none was found.
   */
  async resolveApplications(idsOrUids: string[]): Promise<{ appIds: string[]; unresolved: string[] }> {
    const names = [...new Set(idsOrUids)];
    const found = new Map<string, string>();
    for (const batch of batches(names)) {
      const rows = await this.dataSource.getRepository(ApplicationEntity).find({ select: { id: true, uid: true }, where: [{ id: In(batch) }, { uid: In(batch) }] });
      for (const name of batch) {
        const application = idFirst(rows, name, 'uid');
        if (application) found.set(name, application.id);
      }
    }
    if (names.length > 0 && found.size === 0) {
      throw new ValidationError([{ path: ['appIds'], message: 'none of appIds names an application', type: 'value_error.not_found' }]);
    }
    return { appIds: [...new Set(found.values())], unresolved: names.filter((name) => !found.has(name)) };
  }

  /**
   * Message destinations (a message times the endpoints it was to be delivered to), counted as deliveries
   * created within the window widened to whole hours (UTC): for each application of `appIds` (ids), or for
   * every application that has any. A destination added later (replay-missing, a resend to a new endpoint)
   * counts when it was added.
   */
  async messageDestinations(input: UsageInput): Promise<ApplicationUsage[]> {
    const valid = await validateInput(UsageInput, input);
    const hours = widen(valid.since, valid.until, HOUR_MS);
    const usage: ApplicationUsage[] = [];
    for await (const applications of valid.appIds ? this.applicationsById(valid.appIds) : this.allApplications()) {
      const counts = await this.counts.deliveriesByApplication(applications.map((application) => application.id), hours);
      for (const { id, uid } of applications) {
        const messageDestinations = counts.get(id) ?? 0;
        if (valid.appIds || messageDestinations > 0) usage.push({ appId: id, appUid: uid, messageDestinations });
      }
    }
    return usage;
  }

  /** For each application with endpoints: the event types they filter on, and whether one takes them all. */
  async eventTypeSubscriptions(): Promise<EventTypeSubscriptions[]> {
    const byApp = new Map<string, { types: Set<string>; catchAll: boolean }>();
    let after = '';
    for (;;) {
      const endpoints = await this.dataSource.getRepository(EndpointEntity).find({
        select: { id: true, appId: true, filterTypes: true },
        where: { id: MoreThan(after) },
        order: { id: 'ASC' },
        take: BATCH,
      });
      for (const endpoint of endpoints) {
        const app = byApp.get(endpoint.appId) ?? byApp.set(endpoint.appId, { types: new Set(), catchAll: false }).get(endpoint.appId)!;
        if (endpoint.filterTypes) for (const type of endpoint.filterTypes) app.types.add(type);
        else app.catchAll = true;
      }
      if (endpoints.length < BATCH) break;
      after = endpoints[endpoints.length - 1].id;
    }
    return [...byApp]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([appId, { types, catchAll }]) => ({ appId, explicitlySubscribedEventTypes: [...types].sort(), hasCatchAllEndpoint: catchAll }));
  }

  private async application(appIdOrUid: string): Promise<ApplicationEntity> {
    const application = await findApplication(this.dataSource, appIdOrUid);
    if (!application) throw new NotFoundError('application', appIdOrUid);
    return application;
  }

  /** The id of the application's endpoint named by id or uid (an id wins, as everywhere). */
  private async endpointOf(appId: string, idOrUid: string): Promise<string> {
    const found = await this.dataSource.getRepository(EndpointEntity).find({ select: { id: true, uid: true }, where: [{ appId, id: idOrUid }, { appId, uid: idOrUid }], take: 2 });
    const endpoint = idFirst(found, idOrUid, 'uid');
    if (!endpoint) throw new NotFoundError('endpoint', idOrUid);
    return endpoint.id;
  }

  private async *applicationsById(ids: string[]): AsyncGenerator<Pick<ApplicationEntity, 'id' | 'uid'>[]> {
    for (const batch of batches(ids)) {
      yield await this.dataSource.getRepository(ApplicationEntity).find({ select: { id: true, uid: true }, where: { id: In(batch) }, order: { id: 'ASC' } });
    }
  }

  private async *allApplications(): AsyncGenerator<Pick<ApplicationEntity, 'id' | 'uid'>[]> {
    let after = '';
    for (;;) {
      const applications = await this.dataSource
        .getRepository(ApplicationEntity)
        .find({ select: { id: true, uid: true }, where: { id: MoreThan(after) }, order: { id: 'ASC' }, take: BATCH });
      if (applications.length > 0) yield applications;
      if (applications.length < BATCH) return;
      after = applications[applications.length - 1].id;
    }
  }
}

/** The window asked for; until defaults to now, since to 28 days before until. */
function windowOf({ since, until }: { since?: Date | null; until?: Date | null }): { since: Date; until: Date } {
  const end = until ?? new Date();
  return { since: since ?? new Date(end.getTime() - MAX_STATISTICS_DAYS * DAY_MS), until: end };
}

function countOf(status: AttemptStatus): keyof AttemptCounts {
  return status === 'failed' ? 'failure' : status;
}

function zeros(length: number): number[] {
  return new Array<number>(length).fill(0);
}

function batches<T>(items: T[]): T[][] {
  return Array.from({ length: Math.ceil(items.length / BATCH) }, (_, i) => items.slice(i * BATCH, (i + 1) * BATCH));
}

/** Leaves out endpoints posting to Svix Play (play.svix.com), as Svix's counts do by default. */
function excludeSvixPlay(query: SelectQueryBuilder<EndpointEntity>): void {
  query.andWhere(new Brackets((where) => where.where("ep.url NOT LIKE 'https://play.svix.com/%'").andWhere("ep.url NOT LIKE 'http://play.svix.com/%'")));
}
