import { Injectable, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource, type EntityManager } from 'typeorm';
import { MessageInput } from '../inputs/message.input.js';
import { invalidField, validateInput } from '../inputs/validation.js';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { CallBatcher } from '../common/call-batcher.js';
import { DeliveryQueue, type LocalReservation } from '../queue/delivery.queue.js';
import type { DeliveryEntity, EndpointEntity, MessageEntity } from '../entities/index.js';
import { endSpan, startCreation } from '../tracing/webhook-tracing.js';
import { findDeliveryTargets, findSubscribers, insertPublications, type DeliveryTarget, type Publication, type Subscriber, type Subscribers } from '../store/publication.store.js';
import { isDuplicateKey, retryingDeadlocks } from '../entities/database-errors.js';
import { newId } from '../entities/entity-id.js';
import { ConflictError, NotFoundError, PayloadTooLargeError } from '../exceptions/homing-errors.js';
import { HOMING_EVENT } from '../webhooks.constants.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { AfterCommitSubscriber } from './after-commit.subscriber.js';
import { DeliveryLines } from '../store/delivery-lines.js';
import { channelsAccept, filterAccepts } from '../common/event-type-pattern.js';
import { isJsonMediaType } from '../common/media-type.js';

export interface SendOptions {
  /**
   * Write the message inside this (host) transaction: it exists exactly when the transaction commits,
   * and is queued after the commit. Needs the module to share the host's DataSource.
   */
  manager?: EntityManager;
}

const DAY_MS = 24 * 3600_000;

/** Keys `send` without its validation: reached through sendValidated (exported by internal), not by host apps. */
const SEND_VALIDATED = Symbol('homing.sendValidated');

/** A message input that passed MessageInput's rules, its payload the exact text to store and deliver. */
export type ValidatedMessage = MessageInput & { payload: string };

/** Accepts messages and fans each out to the endpoints subscribed to it. */
@Injectable()
export class ProducerService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly queue: DeliveryQueue,
    private readonly afterCommit: AfterCommitSubscriber,
    private readonly lines: DeliveryLines,
    @Optional() private readonly events?: EventEmitter2,
  ) {}

  private readonly writes = new CallBatcher<Publication, unknown>((batch) => this.writeAll(batch));
  private readonly lookups = new CallBatcher<string, Subscribers | null>((idsOrUids) => findSubscribers(this.dataSource, idsOrUids));
  private readonly targets = new CallBatcher<string, DeliveryTarget | null>((endpointIds) => findDeliveryTargets(this.dataSource, endpointIds));

  /**
   * Creates a message for an application (by id or uid) and owes it to every enabled endpoint whose
   * event-type filter and channels accept it. `payload` is a JSON value, or a string of JSON that is
   * delivered byte for byte; with a `contentType` other than JSON, a string of any text, delivered as is.
   */
  async send<P>(appIdOrUid: string, input: MessageInput & { payload: P }, options: SendOptions = {}): Promise<SentMessage<P>> {
    const subscribers = await this.subscribers(appIdOrUid);
    const valid = await validateInput(MessageInput, input);
    const message = await this.store(subscribers, valid, serializePayload(input.payload, valid.contentType), options.manager);
    return { ...message, payload: input.payload };
  }

  /** `send` for an input already validated by MessageInput's rules, its payload the text to store: see sendValidated. */
  async [SEND_VALIDATED](appIdOrUid: string, input: ValidatedMessage): Promise<MessageEntity> {
    return this.store(await this.subscribers(appIdOrUid), input, input.payload);
  }

  /** Refuses a payload over the limit, then publishes the message to the endpoints that take it. */
  private async store({ appId, endpoints }: Subscribers, valid: MessageInput, payload: string, manager?: EntityManager): Promise<MessageEntity> {
    const size = Buffer.byteLength(payload);
    if (size > this.options.maxPayloadBytes) throw new PayloadTooLargeError(size, this.options.maxPayloadBytes);
    return this.publish(appId, valid, payload, endpoints.filter(accepting(valid.eventType, valid.channels)), manager);
  }

  /** Whether a message of this event type on these channels would now be owed to any endpoint: as `send` decides. */
  async precheck(appIdOrUid: string, eventType: string, channels?: readonly string[] | null): Promise<boolean> {
    const { endpoints } = await this.subscribers(appIdOrUid);
    return endpoints.some(accepting(eventType, channels));
  }

  /** The application, by id or uid, and its enabled endpoints; lookups made at the same time share one query. */
  private async subscribers(appIdOrUid: string): Promise<Subscribers> {
    // No application: nothing is stored (a message stored with no deliveries would be accepted and lost).
    const found = await this.lookups.call(appIdOrUid);
    if (!found) throw new NotFoundError('application', appIdOrUid);
    return found;
  }

  /**
   * Stores the message and one delivery per endpoint in one transaction, then queues the deliveries. In a
   * worker process, those it has room for now are written claimed and sent from these rows, unread.
   */
  async publish(
    appId: string,
    input: MessageInput,
    payload: string,
    endpoints: readonly Pick<EndpointEntity, 'id' | 'ordering'>[],
    manager?: EntityManager,
  ): Promise<MessageEntity> {
    if (manager && manager.connection !== this.dataSource) {
      throw new Error("send(..., { manager }) needs the webhooks module to use the host's DataSource: WebhooksModule.forRoot({ dataSource: '<name>', ... })");
    }
    const now = new Date();
    const id = newId('message');
    const creation = startCreation({ 'homing.app_id': appId, 'homing.message_id': id, 'homing.event_type': input.eventType, 'homing.endpoints': endpoints.length });
    const deliverAt = input.deliverAt && input.deliverAt > now ? input.deliverAt : null;
    const message: MessageEntity = {
      id,
      appId,
      eventType: input.eventType,
      eventId: input.eventId ?? null,
      channels: input.channels?.length ? input.channels : null,
      tags: input.tags?.length ? input.tags : null,
      payload,
      contentType: input.contentType ?? null,
      requestId: input.requestId ?? null,
      payloadExpiresAt: new Date(now.getTime() + (input.payloadRetentionPeriod ? input.payloadRetentionPeriod * DAY_MS : this.options.payloadRetentionMs)),
      payloadPurgedAt: null,
      deliverAt,
      createdAt: now,
      traceContext: creation.carrier,
    };
    // Not in a host's transaction (its rows are not there until it commits, maybe long after), nor to an
    // ordered endpoint (its line decides), nor later.
    const claimable = !manager && !deliverAt;
    const reservations = new Map<string, LocalReservation>();
    for (const endpoint of endpoints) {
      const reservation = claimable && endpoint.ordering !== 'fifo' ? this.queue.reserveLocal(endpoint.id) : undefined;
      if (reservation) reservations.set(endpoint.id, reservation);
    }
    // Read beside the write: what they are sent to.
    const targets = Promise.all([...reservations.keys()].map((endpointId) => this.targets.call(endpointId)));
    targets.catch(() => undefined);
    const deliveries: DeliveryEntity[] = endpoints.map((endpoint) => ({
      msgId: message.id,
      endpointId: endpoint.id,
      appId,
      status: reservations.has(endpoint.id) ? 'sending' : 'pending',
      attempts: 0,
      scheduleStep: 0,
      trigger: 'scheduled',
      nextAttemptAt: firstAttemptAt(message),
      leaseUntil: reservations.get(endpoint.id)?.leaseUntil ?? null,
      claimId: null,
      throttleSlotAt: null,
      seq: null,
      createdAt: now,
      updatedAt: now,
    }));
    const ordered = new Set(endpoints.filter((endpoint) => endpoint.ordering === 'fifo').map((endpoint) => endpoint.id));
    const publication = { message, deliveries, ordered };
    try {
      if (manager) {
        const placed = await this.write(manager, [publication]);
        // In a host transaction the rows exist only once it commits: queue them then.
        if (manager.queryRunner?.isTransactionActive) this.afterCommit.defer(manager.queryRunner, () => this.enqueue([publication], placed));
        else await this.enqueue([publication], placed);
      } else {
        const failure = await this.writes.call(publication);
        if (failure) throw failure;
      }
    } catch (error) {
      for (const reservation of reservations.values()) reservation.cancel();
      endSpan(creation.span, error);
      if (isDuplicateKey(error)) throw new ConflictError(`a message with eventId "${input.eventId}" already exists in this application`, { cause: error });
      throw error;
    }
    endSpan(creation.span);
    if (reservations.size > 0) await this.startClaimed(message, deliveries, reservations, targets);
    this.events?.emit(HOMING_EVENT.messageCreated, message);
    return message;
  }

  /**
   * Starts the deliveries written claimed. If their endpoints could not be read, the places are given back
   * and the rows wait for their lease to lapse, as a dead worker's would (the message is stored all the same).
   */
  private async startClaimed(message: MessageEntity, deliveries: DeliveryEntity[], reservations: Map<string, LocalReservation>, targets: Promise<(DeliveryTarget | null)[]>): Promise<void> {
    let found: (DeliveryTarget | null)[];
    try {
      found = await targets;
    } catch {
      for (const reservation of reservations.values()) reservation.cancel();
      return;
    }
    const byEndpoint = new Map(deliveries.map((delivery) => [delivery.endpointId, delivery]));
    [...reservations].forEach(([endpointId, reservation], i) => {
      // An endpoint deleted since the lookup: the delivery ends failed, as a claimed one would.
      reservation.start({ delivery: byEndpoint.get(endpointId)!, message, endpoint: found[i]?.endpoint ?? null, application: found[i]?.application ?? null, retrySchedule: undefined });
    });
  }

  /**
   * Messages sent at the same time are written in one transaction and queued in one call. A duplicate
   * eventId among them fails that transaction: then each is written alone, so only the duplicate fails.
   * Resolves with each message's failure, or null.
   */
  private async writeAll(batch: Publication[]): Promise<unknown[]> {
    let placed: string[];
    try {
      placed = await retryingDeadlocks(() => this.dataSource.transaction((writer) => this.write(writer, batch)));
    } catch (error) {
      if (batch.length === 1 || !isDuplicateKey(error)) throw error;
      return Promise.all(batch.map((publication) => this.writeAll([publication]).then(() => null, (failure: unknown) => failure)));
    }
    await this.enqueue(batch, placed);
    return batch.map(() => null);
  }

  /** Inserts the rows, the deliveries to ordered endpoints taking their places in line; returns those endpoints. */
  private async write(writer: EntityManager, publications: Publication[]): Promise<string[]> {
    const ordered = new Set(publications.flatMap((publication) => [...publication.ordered]));
    if (ordered.size === 0) {
      await insertPublications(writer, publications);
      return [];
    }
    // As if unordered, then placed: a transaction run again (after a deadlock) places them afresh.
    for (const { message, deliveries } of publications) {
      for (const delivery of deliveries) Object.assign(delivery, { seq: null, nextAttemptAt: firstAttemptAt(message) });
    }
    const placed = await this.lines.place(writer, publications.flatMap((publication) => publication.deliveries), ordered);
    await insertPublications(writer, publications);
    return placed;
  }

  /** Queues what is due; an ordered endpoint's line moves by itself (its head, if it has none). */
  private async enqueue(publications: readonly Publication[], placed: readonly string[]): Promise<void> {
    await this.queue.enqueueNew(
      publications.flatMap(({ message, deliveries }) =>
        deliveries.filter((delivery) => delivery.status === 'pending' && delivery.seq === null).map(({ msgId, endpointId, attempts }) => ({ msgId, endpointId, attempts, dueAt: message.deliverAt })),
      ),
    );
    for (const endpointId of placed) await this.lines.advance(endpointId);
  }
}

/** When a new message's deliveries are first due: at its delivery time, if it has one, else now (its creation). */
function firstAttemptAt(message: Pick<MessageEntity, 'deliverAt' | 'createdAt'>): Date {
  return message.deliverAt ?? message.createdAt;
}

/** Whether an enabled endpoint takes a message: its event-type filter and its channels both let it through. */
function accepting(eventType: string, channels: readonly string[] | null | undefined): (endpoint: Subscriber) => boolean {
  return (endpoint) => filterAccepts(endpoint.filterTypes, eventType) && channelsAccept(endpoint.channels, channels);
}

/**
 * ProducerService.send for a caller that has validated `input` by MessageInput's rules (Homing's API, whose
 * DTO uses the same validators): the second validation pass is skipped. `payload` is stored and delivered
 * as given, so it must be JSON text unless `contentType` names another type. The application's existence
 * and the payload's size are still checked.
 */
export function sendValidated(producer: ProducerService, appIdOrUid: string, input: ValidatedMessage): Promise<MessageEntity> {
  return producer[SEND_VALIDATED](appIdOrUid, input);
}

/** The message as stored, with the payload as the caller gave it (an object stays an object). */
export type SentMessage<P = unknown> = Omit<MessageEntity, 'payload'> & { payload: P };

function serializePayload(payload: unknown, contentType: string | null | undefined): string {
  // Validation has made sure a payload of another type is text.
  if (!isJsonMediaType(contentType)) return payload as string;
  if (typeof payload !== 'string') return JSON.stringify(payload);
  try {
    JSON.parse(payload);
  } catch {
    throw invalidField(['payload'], 'payload given as a string must be JSON text', 'value_error.json');
  }
  return payload;
}
