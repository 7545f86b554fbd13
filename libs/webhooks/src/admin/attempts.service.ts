import { Injectable } from '@nestjs/common';
import { DataSource, In, type FindOptionsWhere, type SelectQueryBuilder } from 'typeorm';
import { AttemptEntity, DeliveryEntity, EndpointEntity, MessageEntity, type AttemptHeaders, type AttemptStatus, type DeliveryStatus } from '../entities/index.js';
import { NotFoundError } from '../exceptions/homing-errors.js';
import { CountsReader, HOUR_MS, widen, type Buckets, type DeliveryCounts } from '../statistics/counts.reader.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { EndpointsService } from './endpoints.service.js';
import { filterCreated, filterMessages, filtersMessages, MessagesService, type MessageFilters } from './messages.service.js';
import { mapPage, paginate, type Page, type PageOptions } from './pagination.js';

export interface AttemptFilters extends MessageFilters {
  status?: AttemptStatus;
  /** 0 (no response), 100, 200, 300, 400 or 500: the class of the response status. */
  statusCodeClass?: number;
}

/** A message as owed to one endpoint. */
export interface EndpointMessage {
  message: MessageEntity;
  delivery: DeliveryEntity;
}

/** An endpoint a message is owed to. */
export interface MessageDestination {
  endpoint: EndpointEntity;
  delivery: DeliveryEntity;
}

/** Svix's count: exact up to a ceiling, past which it stops counting. */
export interface AttemptCount {
  count: number;
  approximated: boolean;
}

/** Past this many attempts a count stops (Svix's `approximated`): counting stays one bounded index read. */
export const COUNT_CEILING = 10_000;
/** What an expunged attempt's response reads (as in Svix). */
export const EXPUNGED_RESPONSE = 'EXPUNGED';

/** Deliveries by status, and how the endpoint is doing now. */
export interface EndpointStats extends DeliveryCounts {
  /** When its current run of failures began (a failed attempt with no success since); null while it succeeds. */
  failingSince: Date | null;
  /** When the earliest of its pending deliveries is due: its next attempt, whatever the window; null when none waits. */
  nextAttemptAt: Date | null;
}

/** Reading what was attempted: attempts, deliveries per endpoint and per message, and their counts. */
@Injectable()
export class AttemptsService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    private readonly endpoints: EndpointsService,
    private readonly messages: MessagesService,
    private readonly counts: CountsReader,
  ) {}

  async get(appIdOrUid: string, msgIdOrEventId: string, attemptId: string): Promise<AttemptEntity> {
    const message = await this.messages.get(appIdOrUid, msgIdOrEventId);
    const attempt = await this.dataSource.getRepository(AttemptEntity).findOneBy({ id: attemptId, msgId: message.id });
    if (!attempt) throw new NotFoundError('attempt', attemptId);
    return attempt;
  }

  /** Attempts to one endpoint, newest first. */
  async pageByEndpoint(appIdOrUid: string, endpointIdOrUid: string, options: AttemptFilters & PageOptions = {}): Promise<Page<AttemptEntity>> {
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    return this.pageAttempts({ endpointId: endpoint.id }, options);
  }

  /** Attempts of one message (to one endpoint if `endpointId` is given), newest first. */
  async pageByMessage(
    appIdOrUid: string,
    msgIdOrEventId: string,
    options: AttemptFilters & PageOptions & { endpointId?: string } = {},
  ): Promise<Page<AttemptEntity>> {
    const message = await this.messages.get(appIdOrUid, msgIdOrEventId);
    const endpoint = options.endpointId ? await this.endpoints.get(message.appId, options.endpointId) : null;
    return this.pageAttempts(endpoint ? { msgId: message.id, endpointId: endpoint.id } : { msgId: message.id }, options);
  }

  /** The messages owed to an endpoint with their delivery status, newest first. */
  async attemptedMessages(
    appIdOrUid: string,
    endpointIdOrUid: string,
    options: MessageFilters & PageOptions & { status?: DeliveryStatus } = {},
  ): Promise<Page<EndpointMessage>> {
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const query = this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('delivery')
      .innerJoin(MessageEntity, 'msg', 'msg.id = delivery.msgId')
      .where('delivery.endpointId = :endpointId', { endpointId: endpoint.id });
    if (options.status) query.andWhere('delivery.status = :status', { status: options.status });
    filterMessages(query, 'msg', options);
    filterCreated(query, 'msg.createdAt', options);
    const page = await paginate(query, 'delivery.msgId', 'message', options, 'descending');
    const messages = await this.byId(MessageEntity, page.data.map((delivery) => delivery.msgId));
    return mapPage(page, (delivery) => ({ delivery, message: messages.get(delivery.msgId)! }));
  }

  /** The endpoints a message is owed to, with the status of each delivery. */
  async attemptedDestinations(appIdOrUid: string, msgIdOrEventId: string, options: PageOptions = {}): Promise<Page<MessageDestination>> {
    const message = await this.messages.get(appIdOrUid, msgIdOrEventId);
    const query = this.dataSource.getRepository(DeliveryEntity).createQueryBuilder('delivery').where('delivery.msgId = :msgId', { msgId: message.id });
    const page = await paginate(query, 'delivery.endpointId', 'endpoint', options, 'ascending');
    const endpoints = await this.byId(EndpointEntity, page.data.map((delivery) => delivery.endpointId));
    return mapPage(page, (delivery) => ({ delivery, endpoint: endpoints.get(delivery.endpointId)! }));
  }

  /**
   * How many deliveries to the endpoint are in each status, of those created in [since, until), and its
   * health now. Deliveries are counted per hour of their creation (UTC): the window is widened to whole
   * hours, since rounded down and until up (until no later than now; either left out, unbounded), and a
   * window that begins at or after its end counts none. Read from the statistics counts, not by counting
   * its rows (see CountsReader.deliveries, and there what `waitingRetry` counts).
   */
  async endpointStats(appIdOrUid: string, endpointIdOrUid: string, range: { since?: Date; until?: Date } = {}): Promise<EndpointStats> {
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const counts = await this.counts.deliveries(endpoint, range.since || range.until ? hoursOf(range) : null);
    // One dive into IDX_homing_deliveries_endpoint_next.
    const next = await this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('delivery')
      .select('MIN(delivery.nextAttemptAt)', 'at')
      .where({ endpointId: endpoint.id, status: 'pending' })
      .getRawOne<{ at: Date | null }>();
    return { ...counts, failingSince: endpoint.failingSince, nextAttemptAt: next?.at ?? null };
  }

  /** How many attempts to the endpoint `pageByEndpoint` would list, counted up to COUNT_CEILING (`approximated` past it). */
  async countByEndpoint(appIdOrUid: string, endpointIdOrUid: string, filters: AttemptFilters = {}): Promise<AttemptCount> {
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const capped = this.attemptsQuery({ endpointId: endpoint.id }, filters).select('1').limit(COUNT_CEILING + 1);
    const [sql, parameters] = capped.getQueryAndParameters();
    const [{ count }] = (await this.dataSource.query(`SELECT COUNT(*) AS count FROM (${sql}) capped`, parameters)) as { count: string | number }[];
    const counted = Number(count);
    return counted > COUNT_CEILING ? { count: COUNT_CEILING, approximated: true } : { count: counted, approximated: false };
  }

  /** The headers the attempt sent (secrets masked) and those of its response; null for an attempt made before they were kept. */
  async headers(appIdOrUid: string, msgIdOrEventId: string, attemptId: string): Promise<AttemptHeaders | null> {
    return (await this.get(appIdOrUid, msgIdOrEventId, attemptId)).headers;
  }

  /** Replaces what the receiver answered (body and headers) with EXPUNGED_RESPONSE, for a response that held something sensitive. */
  async expungeContent(appIdOrUid: string, msgIdOrEventId: string, attemptId: string): Promise<void> {
    const attempt = await this.get(appIdOrUid, msgIdOrEventId, attemptId);
    const headers = attempt.headers && { ...attempt.headers, response: null };
    await this.dataSource.getRepository(AttemptEntity).update({ id: attempt.id }, { response: EXPUNGED_RESPONSE, headers });
  }

  private pageAttempts(where: { msgId?: string; endpointId?: string }, options: AttemptFilters & PageOptions): Promise<Page<AttemptEntity>> {
    return paginate(this.attemptsQuery(where, options), 'attempt.id', 'attempt', options, 'descending');
  }

  private attemptsQuery(where: { msgId?: string; endpointId?: string }, options: AttemptFilters): SelectQueryBuilder<AttemptEntity> {
    const query = this.dataSource.getRepository(AttemptEntity).createQueryBuilder('attempt').where(where);
    if (options.status) query.andWhere('attempt.status = :status', { status: options.status });
    if (options.statusCodeClass !== undefined) {
      const low = options.statusCodeClass;
      query.andWhere(low === 0 ? 'attempt.responseStatusCode = 0' : 'attempt.responseStatusCode BETWEEN :low AND :high', { low, high: low + 99 });
    }
    if (filtersMessages(options)) {
      query.innerJoin(MessageEntity, 'msg', 'msg.id = attempt.msgId');
      filterMessages(query, 'msg', options);
    }
    filterCreated(query, 'attempt.createdAt', options);
    return query;
  }

  private async byId<T extends { id: string }>(entity: new () => T, ids: string[]): Promise<Map<string, T>> {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(entity).findBy({ id: In(ids) } as FindOptionsWhere<T>);
    return new Map(rows.map((row) => [row.id, row]));
  }
}

/** [since, until) within the past, widened to whole hours; empty when it begins at or after its end. */
function hoursOf({ since, until }: { since?: Date; until?: Date }): Buckets {
  const now = new Date();
  const end = until && until < now ? until : now;
  if (since && since >= end) return { since: end, until: end };
  return widen(since ?? new Date(0), end, HOUR_MS);
}
