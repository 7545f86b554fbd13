import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, In, IsNull, type FindOptionsWhere, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { MessageEntity } from '../entities/index.js';
import { NotFoundError } from '../exceptions/homing-errors.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { ApplicationsService } from './applications.service.js';
import { idFirst } from '../common/lookup.js';
import { encodeIterator, paginate, type Page, type PageOptions } from './pagination.js';
import { purgePayloads } from '../store/payload-purge.js';

/**
 * How old a message must be before `events` shows it. Messages written at the same time commit in any
 * order, so a page ending at the newest id could pass over one still being written with a smaller id;
 * by this age every write the dispatcher makes has committed (a host's own transaction may take longer).
 */
export const EVENTS_SETTLE_MS = 5_000;

/** A page of the message stream: `iterator` always says where the next read starts. */
export interface MessageEvents {
  data: MessageEntity[];
  iterator: string;
  done: boolean;
}

/** What the message stream can be narrowed to. */
export interface MessageEventsOptions {
  limit?: number;
  iterator?: string;
  eventTypes?: string[];
  /** Messages on any of these channels. */
  channels?: string[];
  /** Created strictly after. */
  after?: Date;
}

/** What a listing of messages (or of attempts and deliveries of them) can be narrowed to. */
export interface MessageFilters {
  /** Any of these event types. */
  eventTypes?: string[];
  /** Messages sent on this channel. */
  channel?: string;
  /** Messages carrying this tag. */
  tag?: string;
  /** Created strictly before / after. */
  before?: Date;
  after?: Date;
}

/** A message's payload text and its media type. */
export interface RawPayload {
  payload: string;
  contentType: string;
}

/** Reading the message log of an application, and emptying payloads on demand. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
  ) {}

  /** By id (`msg_…`) or by the sender's `eventId`. */
  async get(appIdOrUid: string, idOrEventId: string): Promise<MessageEntity> {
    const application = await this.applications.get(appIdOrUid);
    return this.find(application.id, idOrEventId);
  }

  /**
   * A message's payload as stored, the text delivered byte for byte, with its content type (Svix's
   * get-raw-payload): for a payload that is not JSON, which `payload` of the API's message cannot show.
   */
  async rawPayload(appIdOrUid: string, idOrEventId: string): Promise<RawPayload> {
    const message = await this.get(appIdOrUid, idOrEventId);
    return { payload: message.payload, contentType: message.contentType ?? 'application/json' };
  }

  /** By id or `eventId` within an application already resolved. */
  async find(appId: string, idOrEventId: string): Promise<MessageEntity> {
    const found = await this.dataSource.getRepository(MessageEntity).find({
      where: [
        { appId, id: idOrEventId },
        { appId, eventId: idOrEventId },
      ],
      take: 2,
    });
    const message = idFirst(found, idOrEventId, 'eventId');
    if (!message) throw new NotFoundError('message', idOrEventId);
    return message;
  }

  /** The application's messages among `ids` (by id only); unknown ids are left out. */
  async findMany(appIdOrUid: string, ids: readonly string[]): Promise<MessageEntity[]> {
    const application = await this.applications.get(appIdOrUid);
    if (ids.length === 0) return [];
    return this.dataSource.getRepository(MessageEntity).findBy({ appId: application.id, id: In([...ids]) });
  }

  /** A page of the application's messages, newest first. */
  async page(appIdOrUid: string, options: MessageFilters & PageOptions = {}): Promise<Page<MessageEntity>> {
    const application = await this.applications.get(appIdOrUid);
    const query = this.messagesOf(application.id);
    filterMessages(query, 'msg', options);
    filterCreated(query, 'msg.createdAt', options);
    return paginate(query, 'msg.id', 'message', options, 'descending');
  }

  /**
   * The stream of the application's messages, oldest first, for consumers that poll: the iterator
   * resumes right after the last message given (ids order messages exactly, within a millisecond too).
   * Only messages older than EVENTS_SETTLE_MS are shown, so none is skipped while being written.
   */
  async events(appIdOrUid: string, options: MessageEventsOptions = {}): Promise<MessageEvents> {
    const application = await this.applications.get(appIdOrUid);
    const settled = new Date(Date.now() - EVENTS_SETTLE_MS);
    const query = this.messagesOf(application.id).andWhere('msg.createdAt <= :settled', { settled });
    filterMessages(query, 'msg', { eventTypes: options.eventTypes });
    if (options.channels?.length) {
      const channels = options.channels;
      query.andWhere(new Brackets((any) => channels.forEach((channel, i) => any.orWhere(`JSON_CONTAINS(msg.channels, JSON_QUOTE(:channel${i}))`, { [`channel${i}`]: channel }))));
    }
    filterCreated(query, 'msg.createdAt', { after: options.after });
    const page = await paginate(query, 'msg.id', 'message', { limit: options.limit, iterator: options.iterator }, 'ascending');
    return { data: page.data, iterator: page.iterator ?? options.iterator ?? (await this.settledEnd(application.id, settled)), done: page.done };
  }

  /**
   * Where a stream with nothing to show yet goes on from: after the last message already settled (none
   * matched, and none older can appear), or from the start ('') when there is none.
   */
  private async settledEnd(appId: string, settled: Date): Promise<string> {
    const last = await this.messagesOf(appId).andWhere('msg.createdAt <= :settled', { settled }).orderBy('msg.id', 'DESC').select('msg.id').getOne();
    return last ? encodeIterator({ key: last.id, backwards: false }, 'message') : '';
  }

  /** Empties the message's payload now, as retention does when it expires: it can no longer be resent. */
  async expungeContent(appIdOrUid: string, idOrEventId: string): Promise<void> {
    const message = await this.get(appIdOrUid, idOrEventId);
    await this.purge({ appId: message.appId, id: message.id });
  }

  /** Empties the payloads of the application's messages among `idsOrEventIds`; says of each whether it was found. */
  async expungeContents(appIdOrUid: string, idsOrEventIds: readonly string[]): Promise<Map<string, 'expunged' | 'not-found'>> {
    const application = await this.applications.get(appIdOrUid);
    const wanted = [...new Set(idsOrEventIds)];
    const found = wanted.length
      ? await this.dataSource.getRepository(MessageEntity).find({
          where: [
            { appId: application.id, id: In(wanted) },
            { appId: application.id, eventId: In(wanted) },
          ],
          select: { id: true, eventId: true },
        })
      : [];
    const ids = new Map(wanted.map((idOrEventId) => [idOrEventId, idFirst(found, idOrEventId, 'eventId')?.id]));
    const expunged = [...new Set([...ids.values()].filter((id) => id !== undefined))];
    if (expunged.length) await this.purge({ appId: application.id, id: In(expunged) });
    return new Map(wanted.map((idOrEventId) => [idOrEventId, ids.get(idOrEventId) ? 'expunged' : 'not-found']));
  }

  /** Empties every payload of the application; returns how many were emptied. */
  async expungeAllContents(appIdOrUid: string): Promise<number> {
    const application = await this.applications.get(appIdOrUid);
    return this.purge({ appId: application.id });
  }

  /** The retention purge on the messages `where` selects; a payload purged before keeps its first purge time. */
  private purge(where: FindOptionsWhere<MessageEntity>): Promise<number> {
    return purgePayloads(this.dataSource, (query) => query.where({ ...where, payloadPurgedAt: IsNull() }));
  }

  private messagesOf(appId: string): SelectQueryBuilder<MessageEntity> {
    return this.dataSource.getRepository(MessageEntity).createQueryBuilder('msg').where('msg.appId = :appId', { appId });
  }
}

/** Narrows a query that selects or joins messages (as `alias`) by event type, channel and tag. */
export function filterMessages<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, alias: string, filters: MessageFilters): void {
  if (filters.eventTypes?.length) query.andWhere(`${alias}.eventType IN (:...filterEventTypes)`, { filterEventTypes: filters.eventTypes });
  if (filters.channel) query.andWhere(`JSON_CONTAINS(${alias}.channels, JSON_QUOTE(:filterChannel))`, { filterChannel: filters.channel });
  if (filters.tag) query.andWhere(`JSON_CONTAINS(${alias}.tags, JSON_QUOTE(:filterTag))`, { filterTag: filters.tag });
}

/** Whether `filterMessages` would narrow anything (so a join to messages is needed). */
export function filtersMessages(filters: MessageFilters): boolean {
  return Boolean(filters.eventTypes?.length || filters.channel || filters.tag);
}

/** Keeps rows whose `column` lies strictly between `after` and `before`. */
export function filterCreated<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, range: { before?: Date; after?: Date }): void {
  if (range.before) query.andWhere(`${column} < :filterBefore`, { filterBefore: range.before });
  if (range.after) query.andWhere(`${column} > :filterAfter`, { filterAfter: range.after });
}
