import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, In, MoreThan, type EntityManager, type FindOptionsWhere, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { ApplicationsService } from './applications.service.js';
import { EndpointsService } from './endpoints.service.js';
import { EventTypesService } from './event-types.service.js';
import { filterMessages } from './messages.service.js';
import { channelsAccept, filterAccepts } from '../common/event-type-pattern.js';
import { AttemptEntity, DeliveryEntity, EndpointEntity, MessageEntity, type DeliveryStatus } from '../entities/index.js';
import { newId } from '../entities/entity-id.js';
import { ConflictError, NotFoundError, PayloadPurgedError } from '../exceptions/homing-errors.js';
import { BulkReplayInput, ReplayInput } from '../inputs/replay.input.js';
import { invalidField, validateInput } from '../inputs/validation.js';
import { ProducerService } from '../producer/producer.service.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { DeliveryQueue, type DueDelivery } from '../queue/delivery.queue.js';
import { DeliveryLines } from '../store/delivery-lines.js';

const RECOVER_BATCH = 1000;
/** Deliveries that have ended: what a replay sends again (pending and sending ones are still under way). */
const ENDED: DeliveryStatus[] = ['success', 'failed', 'canceled'];

/** Which of an endpoint's deliveries to send again: of messages created in [since, until), until defaulting to now. */
interface DeliverySelection {
  since: Date;
  until?: Date | null;
  statuses: DeliveryStatus[];
  eventTypes?: string[] | null;
  channel?: string | null;
  tag?: string | null;
  statusCodeClass?: number | null;
}

/** What an operator does by hand: resend one message, recover failures, replay, cancel, send an example. */
@Injectable()
export class RecoveryService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
    private readonly endpoints: EndpointsService,
    private readonly eventTypes: EventTypesService,
    private readonly producer: ProducerService,
    private readonly queue: DeliveryQueue,
    private readonly lines: DeliveryLines,
  ) {}

  /** One more attempt of a message to an endpoint, now, whatever came before (no automatic retries). */
  async resend(appIdOrUid: string, msgId: string, endpointIdOrUid: string): Promise<void> {
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const message = await this.dataSource.getRepository(MessageEntity).findOneBy({ id: msgId, appId: endpoint.appId });
    if (!message) throw new NotFoundError('message', msgId);
    if (message.payloadPurgedAt) throw new PayloadPurgedError(msgId, message.payloadPurgedAt);
    const deliveries = this.dataSource.getRepository(DeliveryEntity);
    const now = new Date();
    const existing = await deliveries.findOneBy({ msgId, endpointId: endpoint.id });
    if (existing?.status === 'sending') throw new ConflictError(`an attempt of "${msgId}" to this endpoint is in progress`);
    const ordered = endpoint.ordering === 'fifo';
    // Waiting for its turn in an ordered endpoint's line: it keeps its place.
    if (ordered && existing?.status === 'pending' && existing.nextAttemptAt === null) return;
    const manual = { status: 'pending', trigger: 'manual', scheduleStep: 0, nextAttemptAt: ordered ? null : now, leaseUntil: null, updatedAt: now } as const;
    const owe = async (manager: EntityManager) => {
      if (existing) await manager.update(DeliveryEntity, { msgId, endpointId: endpoint.id, attempts: existing.attempts }, manual);
      else await manager.insert(DeliveryEntity, { msgId, endpointId: endpoint.id, appId: endpoint.appId, attempts: 0, createdAt: now, ...manual });
      return [msgId];
    };
    if (ordered) {
      await this.lines.rejoin(endpoint.id, owe);
      return;
    }
    await owe(this.dataSource.manager);
    // A delivery waiting for a retry already has a delayed job: run that one now.
    await this.queue.runNow({ msgId, endpointId: endpoint.id, attempts: existing?.attempts ?? 0 });
  }

  /** Sends again (one attempt each) every failed delivery to the endpoint of a message created in [since, until). */
  async recover(appIdOrUid: string, endpointIdOrUid: string, since: Date, until?: Date): Promise<number> {
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    return this.replayDeliveries(endpoint, { since, until, statuses: ['failed'] });
  }

  /**
   * Brings forward every delivery to the endpoint waiting on a retry (see WAITING_ON_RETRY): due now
   * instead of at its scheduled time (one already due is queued now). A retry, not a reset: the schedule
   * goes on from the step it was at if this attempt fails too. Returns how many were made due, which is
   * what the endpoint's `waitingRetry` count showed.
   */
  async retryNow(appIdOrUid: string, endpointIdOrUid: string): Promise<number> {
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const deliveries = this.dataSource.getRepository(DeliveryEntity);
    const waiting = (after: string) =>
      deliveries.find({
        select: { msgId: true, endpointId: true, attempts: true },
        where: { endpointId: endpoint.id, msgId: MoreThan(after), ...WAITING_ON_RETRY },
        order: { msgId: 'ASC' },
        take: RECOVER_BATCH,
      });
    return inBatches(waiting, (delivery) => delivery.msgId, async (batch) => {
      const now = new Date();
      // Pinned to the attempt read: a row attempted meanwhile keeps the course that attempt gave it.
      const pinned = batch.map((_, i) => `(:msg${i}, :attempts${i})`).join(', ');
      const { affected } = await deliveries
        .createQueryBuilder()
        .update()
        .set({ nextAttemptAt: () => 'LEAST(nextAttemptAt, :now)', updatedAt: now })
        .setParameter('now', now)
        .where({ endpointId: endpoint.id, ...WAITING_ON_RETRY })
        .andWhere(`(msgId, attempts) IN (${pinned})`, Object.fromEntries(batch.flatMap(({ msgId, attempts }, i) => [[`msg${i}`, msgId], [`attempts${i}`, attempts]])))
        .execute();
      // Each has a delayed job for its scheduled time, under the id enqueue would give it: run that one now.
      await Promise.all(batch.map(({ msgId, attempts }) => this.queue.runNow({ msgId, endpointId: endpoint.id, attempts })));
      return affected ?? batch.length;
    });
  }

  /**
   * Sends again (one attempt each) the endpoint's ended deliveries, successful, failed or cancelled, of
   * messages created in the window, narrowed by the filters given. Returns how many.
   */
  async bulkReplay(appIdOrUid: string, endpointIdOrUid: string, input: BulkReplayInput): Promise<number> {
    const { status, ...selection } = await validateInput(BulkReplayInput, input);
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const statuses = status ? ENDED.filter((ended) => ended === status) : ENDED;
    return statuses.length ? this.replayDeliveries(endpoint, { ...selection, statuses }) : 0;
  }

  /**
   * Sends the endpoint the messages created in the window that it would have received (by its event
   * types and channels as they are now) but has no delivery of: sent before it existed or subscribed.
   * One attempt each; returns how many.
   */
  async replayMissing(appIdOrUid: string, endpointIdOrUid: string, input: ReplayInput): Promise<number> {
    const { since, until } = await validateInput(ReplayInput, input);
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const window = { since, until: until ?? new Date() };
    const ordered = endpoint.ordering === 'fifo';
    const undelivered = (after: string) => {
      const query = this.dataSource
        .getRepository(MessageEntity)
        .createQueryBuilder('msg')
        .select(['msg.id', 'msg.eventType', 'msg.channels', 'msg.deliverAt'])
        .where('msg.appId = :appId AND msg.id > :after AND msg.payloadPurgedAt IS NULL', { appId: endpoint.appId, after });
      const owed = query.subQuery().select('1').from(DeliveryEntity, 'delivery').where('delivery.msgId = msg.id AND delivery.endpointId = :endpointId').getQuery();
      createdIn(query.andWhere(`NOT EXISTS ${owed}`, { endpointId: endpoint.id }), 'msg.createdAt', window);
      return query.orderBy('msg.id', 'ASC').limit(RECOVER_BATCH).getMany();
    };
    return inBatches(undelivered, (message) => message.id, async (batch) => {
      const now = new Date();
      const deliveries: DeliveryEntity[] = batch
        .filter((message) => filterAccepts(endpoint.filterTypes, message.eventType) && channelsAccept(endpoint.channels, message.channels))
        .map((message) => ({
          msgId: message.id,
          endpointId: endpoint.id,
          appId: endpoint.appId,
          status: 'pending',
          attempts: 0,
          scheduleStep: 0,
          trigger: 'manual',
          nextAttemptAt: ordered ? null : message.deliverAt && message.deliverAt > now ? message.deliverAt : now,
          leaseUntil: null,
          claimId: null,
          throttleSlotAt: null,
          seq: null,
          createdAt: now,
          updatedAt: now,
        }));
      if (deliveries.length === 0) return 0;
      const jobs = deliveries.map(({ msgId, nextAttemptAt }) => ({ msgId, endpointId: endpoint.id, attempts: 0, dueAt: nextAttemptAt }));
      return this.oweAgain(endpoint, jobs, async (manager) => {
        // A delivery the producer wrote meanwhile stays as it is.
        const inserted = await manager.createQueryBuilder().insert().into(DeliveryEntity).values(deliveries).orIgnore().execute();
        return (inserted.raw as { affectedRows?: number }).affectedRows ?? deliveries.length;
      });
    });
  }

  /**
   * Calls off the endpoint's deliveries of messages created before `createdBefore` that are still owed:
   * they end `canceled` and are never attempted again (a queued job finds nothing to claim), unless
   * replayed. Each waiting one is listed as a cancelled attempt; one being sent at this moment finishes
   * that attempt, which records itself, and takes no retry. Returns how many.
   */
  async cancel(appIdOrUid: string, endpointIdOrUid: string, createdBefore: Date): Promise<number> {
    if (!(createdBefore instanceof Date) || Number.isNaN(createdBefore.getTime())) throw invalidField(['createdBefore'], 'createdBefore must be a date and time');
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const deliveries = this.dataSource.getRepository(DeliveryEntity);
    const messages = this.dataSource.driver.escape(this.dataSource.getMetadata(MessageEntity).tableName);
    const ofMessages = `msgId IN (SELECT id FROM ${messages} WHERE appId = :appId AND createdAt < :createdBefore)`;
    const where = { endpointId: endpoint.id, appId: endpoint.appId, createdBefore };
    const claimId = randomBytes(16).toString('hex');
    const now = new Date();
    // The cancellation counts as the delivery's attempt: that also moves the row off the job id a queued retry holds.
    const waiting = await deliveries
      .createQueryBuilder()
      .update()
      .set({ status: 'canceled', attempts: () => 'attempts + 1', nextAttemptAt: null, leaseUntil: null, claimId, updatedAt: now })
      .where(`endpointId = :endpointId AND status = 'pending' AND ${ofMessages}`, where)
      .execute();
    const sending = await deliveries
      .createQueryBuilder()
      .update()
      .set({ status: 'canceled', nextAttemptAt: null, leaseUntil: null, updatedAt: now })
      .where(`endpointId = :endpointId AND status = 'sending' AND ${ofMessages}`, where)
      .execute();
    const cancelledWaiting = (after: string) =>
      deliveries.find({
        select: { msgId: true, endpointId: true, trigger: true },
        where: { endpointId: endpoint.id, claimId, msgId: MoreThan(after) },
        order: { msgId: 'ASC' },
        take: RECOVER_BATCH,
      });
    await inBatches(cancelledWaiting, (delivery) => delivery.msgId, async (batch) => {
      const attempts = batch.map(({ msgId, trigger }) => ({
        id: newId('attempt'),
        msgId,
        endpointId: endpoint.id,
        appId: endpoint.appId,
        url: endpoint.url,
        status: 'canceled' as const,
        responseStatusCode: 0,
        response: '',
        responseDurationMs: 0,
        trigger,
        createdAt: now,
      }));
      await this.dataSource.getRepository(AttemptEntity).insert(attempts);
      return attempts.length;
    });
    // A cancelled head of an ordered endpoint's line lets the line move; one in flight moves it when its attempt ends.
    if (endpoint.ordering === 'fifo' && !sending.affected) await this.lines.advance(endpoint.id);
    return (waiting.affected ?? 0) + (sending.affected ?? 0);
  }

  /** Makes the selected deliveries owed again, one manual attempt each, due now; returns how many. */
  private async replayDeliveries(endpoint: EndpointEntity, selection: DeliverySelection): Promise<number> {
    const deliveries = this.dataSource.getRepository(DeliveryEntity);
    const window = { since: selection.since, until: selection.until ?? new Date() };
    const selected = (after: string) => {
      const query = deliveries
        .createQueryBuilder('delivery')
        .select(['delivery.msgId', 'delivery.endpointId', 'delivery.attempts'])
        .innerJoin(MessageEntity, 'msg', 'msg.id = delivery.msgId')
        .where('delivery.endpointId = :endpointId AND delivery.status IN (:...statuses) AND delivery.msgId > :after', { endpointId: endpoint.id, statuses: selection.statuses, after })
        // A message whose payload was purged has nothing left to send.
        .andWhere('msg.payloadPurgedAt IS NULL');
      createdIn(query, 'msg.createdAt', window);
      filterMessages(query, 'msg', { eventTypes: selection.eventTypes ?? undefined, channel: selection.channel ?? undefined, tag: selection.tag ?? undefined });
      if (selection.statusCodeClass != null) {
        const lastStatusCode = query
          .subQuery()
          .select('attempt.responseStatusCode')
          .from(AttemptEntity, 'attempt')
          .where('attempt.msgId = delivery.msgId AND attempt.endpointId = delivery.endpointId')
          .orderBy('attempt.createdAt', 'DESC')
          .addOrderBy('attempt.id', 'DESC')
          .limit(1)
          .getQuery();
        const low = selection.statusCodeClass;
        query.andWhere(`${lastStatusCode} BETWEEN :lowCode AND :highCode`, { lowCode: low, highCode: low === 0 ? 0 : low + 99 });
      }
      return query.orderBy('delivery.msgId', 'ASC').limit(RECOVER_BATCH).getMany();
    };
    return inBatches(selected, (delivery) => delivery.msgId, async (batch) => {
      const now = new Date();
      const ordered = endpoint.ordering === 'fifo';
      const jobs = batch.map(({ msgId, attempts }) => ({ msgId, endpointId: endpoint.id, attempts }));
      return this.oweAgain(endpoint, jobs, async (manager) => {
        const { affected } = await manager.update(
          DeliveryEntity,
          { endpointId: endpoint.id, status: In(selection.statuses), msgId: In(batch.map((row) => row.msgId)) },
          { status: 'pending', trigger: 'manual', scheduleStep: 0, nextAttemptAt: ordered ? null : now, leaseUntil: null, updatedAt: now },
        );
        return affected ?? batch.length;
      });
    });
  }

  /**
   * Makes deliveries owed again by `owe` (which says how many it changed), then sends them: queued, or for
   * an ordered endpoint, put in its line in the same transaction (their `nextAttemptAt` left null by `owe`).
   */
  private async oweAgain(endpoint: EndpointEntity, jobs: DueDelivery[], owe: (manager: EntityManager) => Promise<number>): Promise<number> {
    if (endpoint.ordering !== 'fifo') {
      const owed = await owe(this.dataSource.manager);
      await this.queue.enqueue(jobs);
      return owed;
    }
    let owed = 0;
    await this.lines.rejoin(endpoint.id, async (manager) => {
      owed = await owe(manager);
      return jobs.map(({ msgId }) => msgId);
    });
    return owed;
  }

  /** Sends the event type's example payload (the first, or the `exampleIndex`th) to this one endpoint, as a real message. */
  async sendExample(appIdOrUid: string, endpointIdOrUid: string, eventType: string, exampleIndex = 0): Promise<MessageEntity> {
    const application = await this.applications.get(appIdOrUid);
    const endpoint = await this.endpoints.get(application.id, endpointIdOrUid);
    const example = await this.eventTypes.example(eventType, exampleIndex);
    return this.producer.publish(application.id, { eventType, payload: example }, JSON.stringify(example), [endpoint]);
  }
}

/**
 * Deliveries waiting on a retry: owed a retry by the schedule (attempted at least once, not a resend or
 * recover, which get one attempt) and not being sent, whether its time has come or not. The statistics
 * count the same rows as `waitingRetry` (the counts migration's `retrying` kind). A message sent with a
 * later delivery time has no attempt yet: it is scheduled, not retried.
 */
const WAITING_ON_RETRY: FindOptionsWhere<DeliveryEntity> = { status: 'pending', attempts: MoreThan(0), trigger: 'scheduled' };

/** Keeps rows whose `column` lies in [since, until). */
function createdIn<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, { since, until }: { since: Date; until: Date }): void {
  query.andWhere(`${column} >= :windowSince AND ${column} < :windowUntil`, { windowSince: since, windowUntil: until });
}

/**
 * Reads rows a batch at a time, each batch after the last key of the one before, until one comes back
 * empty; `handle` takes each batch and says how many of it count. Returns the sum.
 */
async function inBatches<T>(next: (after: string) => Promise<T[]>, keyOf: (row: T) => string, handle: (batch: T[]) => Promise<number>): Promise<number> {
  let total = 0;
  for (let batch = await next(''); batch.length > 0; batch = await next(keyOf(batch[batch.length - 1]))) total += await handle(batch);
  return total;
}
