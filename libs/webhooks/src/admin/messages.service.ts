import { Injectable } from '@nestjs/common';
import { DataSource, In, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { MessageEntity } from '../entities/index.js';
import { NotFoundError } from '../exceptions/homing-errors.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { ApplicationsService } from './applications.service.js';
import { idFirst } from '../common/lookup.js';
import { paginate, type Page, type PageOptions } from './pagination.js';

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

/** Reading the message log of an application. */
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
    const query = this.dataSource.getRepository(MessageEntity).createQueryBuilder('msg').where('msg.appId = :appId', { appId: application.id });
    filterMessages(query, 'msg', options);
    filterCreated(query, 'msg.createdAt', options);
    return paginate(query, 'msg.id', 'message', options, 'descending');
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
