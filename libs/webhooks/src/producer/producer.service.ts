import { ConflictException, Injectable, Optional, PayloadTooLargeException, UnprocessableEntityException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource, type EntityManager } from 'typeorm';
import { ApplicationsService } from '../admin/applications.service.js';
import { MessageInput } from '../admin/dto/message.input.js';
import { validateInput } from '../admin/validation.js';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { DeliveryQueue } from '../delivery/delivery.queue.js';
import { DeliveryEntity, EndpointEntity, MessageEntity } from '../entities/index.js';
import { isDuplicateKey } from '../entities/database-errors.js';
import { newId } from '../entities/entity-id.js';
import { HOMING_EVENT } from '../webhooks.constants.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { AfterCommitSubscriber } from './after-commit.subscriber.js';
import { channelsAccept, filterAccepts } from './event-type-pattern.js';

export interface SendOptions {
  /**
   * Write the message inside this (host) transaction: it exists exactly when the transaction commits,
   * and is queued after the commit. Needs the module to share the host's DataSource.
   */
  manager?: EntityManager;
}

const DAY_MS = 24 * 3600_000;

/** Accepts messages and fans each out to the endpoints subscribed to it. */
@Injectable()
export class ProducerService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly applications: ApplicationsService,
    private readonly queue: DeliveryQueue,
    private readonly afterCommit: AfterCommitSubscriber,
    @Optional() private readonly events?: EventEmitter2,
  ) {}

  /**
   * Creates a message for an application (by id or uid) and owes it to every enabled endpoint whose
   * event-type filter and channels accept it. `payload` is a JSON value, or a string of JSON that is
   * delivered byte for byte.
   */
  async send(appIdOrUid: string, input: MessageInput, options: SendOptions = {}): Promise<MessageEntity> {
    const application = await this.applications.get(appIdOrUid);
    const valid = await validateInput(MessageInput, input);
    const payload = serializePayload(input.payload);
    const size = Buffer.byteLength(payload);
    if (size > this.options.maxPayloadBytes) {
      throw new PayloadTooLargeException({
        code: 'payload_too_large',
        detail: `the payload is ${size} bytes; the limit is ${this.options.maxPayloadBytes} bytes (maxPayloadBytes / HOMING_MAX_PAYLOAD)`,
      });
    }
    const endpoints = await this.dataSource.getRepository(EndpointEntity).find({
      select: { id: true, filterTypes: true, channels: true },
      where: { appId: application.id, disabled: false },
    });
    const subscribed = endpoints.filter(
      (endpoint) => filterAccepts(endpoint.filterTypes, valid.eventType) && channelsAccept(endpoint.channels, valid.channels),
    );
    return this.publish(application.id, valid, payload, subscribed, options.manager);
  }

  /** Stores the message and one delivery per endpoint in one transaction, then queues the deliveries. */
  async publish(
    appId: string,
    input: MessageInput,
    payload: string,
    endpoints: readonly Pick<EndpointEntity, 'id'>[],
    manager?: EntityManager,
  ): Promise<MessageEntity> {
    if (manager && manager.connection !== this.dataSource) {
      throw new Error("send(..., { manager }) needs the webhooks module to use the host's DataSource: WebhooksModule.forRoot({ dataSource: '<name>', ... })");
    }
    const now = new Date();
    const deliverAt = input.deliverAt && input.deliverAt > now ? input.deliverAt : null;
    const message: MessageEntity = {
      id: newId('message'),
      appId,
      eventType: input.eventType,
      eventId: input.eventId ?? null,
      channels: input.channels?.length ? input.channels : null,
      tags: input.tags?.length ? input.tags : null,
      payload,
      requestId: input.requestId ?? null,
      payloadExpiresAt: new Date(now.getTime() + (input.payloadRetentionPeriod ? input.payloadRetentionPeriod * DAY_MS : this.options.payloadRetentionMs)),
      payloadPurgedAt: null,
      deliverAt,
      createdAt: now,
    };
    const deliveries: DeliveryEntity[] = endpoints.map((endpoint) => ({
      msgId: message.id,
      endpointId: endpoint.id,
      appId,
      status: 'pending',
      attempts: 0,
      scheduleStep: 0,
      trigger: 'scheduled',
      nextAttemptAt: deliverAt ?? now,
      leaseUntil: null,
      createdAt: now,
      updatedAt: now,
    }));
    const write = async (writer: EntityManager) => {
      await writer.insert(MessageEntity, message);
      if (deliveries.length > 0) await writer.insert(DeliveryEntity, deliveries);
    };
    try {
      await (manager ? write(manager) : this.dataSource.transaction(write));
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictException(`a message with eventId "${input.eventId}" already exists in this application`);
      throw error;
    }
    const enqueue = () => this.queue.enqueue(deliveries.map(({ msgId, endpointId, attempts }) => ({ msgId, endpointId, attempts, dueAt: deliverAt })));
    // In a host transaction the rows exist only once it commits: queue them then.
    if (manager?.queryRunner?.isTransactionActive) this.afterCommit.defer(manager.queryRunner, enqueue);
    else await enqueue();
    this.events?.emit(HOMING_EVENT.messageCreated, message);
    return message;
  }
}

function serializePayload(payload: unknown): string {
  if (typeof payload !== 'string') return JSON.stringify(payload);
  try {
    JSON.parse(payload);
  } catch {
    throw new UnprocessableEntityException({
      code: 'validation',
      detail: [{ loc: ['body', 'payload'], msg: 'payload given as a string must be JSON text', type: 'value_error.json' }],
    });
  }
  return payload;
}
