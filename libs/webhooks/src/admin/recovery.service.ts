import { Injectable } from '@nestjs/common';
import { DataSource, In, LessThan, MoreThanOrEqual, And, Raw, type FindOperator } from 'typeorm';
import { ApplicationsService } from './applications.service.js';
import { EndpointsService } from './endpoints.service.js';
import { EventTypesService } from './event-types.service.js';
import { DeliveryEntity, MessageEntity } from '../entities/index.js';
import { ConflictError, NotFoundError, PayloadPurgedError } from '../exceptions/homing-errors.js';
import { ProducerService } from '../producer/producer.service.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { DeliveryQueue } from '../queue/delivery.queue.js';

const RECOVER_BATCH = 1000;

/** What an operator does by hand: resend one message, recover failures, send an example. */
@Injectable()
export class RecoveryService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
    private readonly endpoints: EndpointsService,
    private readonly eventTypes: EventTypesService,
    private readonly producer: ProducerService,
    private readonly queue: DeliveryQueue,
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
    const manual = { status: 'pending', trigger: 'manual', scheduleStep: 0, nextAttemptAt: now, leaseUntil: null, updatedAt: now } as const;
    if (existing) {
      await deliveries.update({ msgId, endpointId: endpoint.id, attempts: existing.attempts }, manual);
    } else {
      await deliveries.insert({ msgId, endpointId: endpoint.id, appId: endpoint.appId, attempts: 0, createdAt: now, ...manual });
    }
    // A delivery waiting for a retry already has a delayed job: run that one now.
    await this.queue.runNow({ msgId, endpointId: endpoint.id, attempts: existing?.attempts ?? 0 });
  }

  /** Sends again every failed delivery to the endpoint of a message created in [since, until). */
  async recover(appIdOrUid: string, endpointIdOrUid: string, since: Date, until?: Date): Promise<number> {
    const endpoint = await this.endpoints.get(appIdOrUid, endpointIdOrUid);
    const deliveries = this.dataSource.getRepository(DeliveryEntity);
    const messages = this.dataSource.getMetadata(MessageEntity).tableName;
    const createdAt: FindOperator<Date> = until ? And(MoreThanOrEqual(since), LessThan(until)) : MoreThanOrEqual(since);
    let recovered = 0;
    for (;;) {
      const batch = await deliveries.find({
        select: { msgId: true, attempts: true },
        // A message whose payload was purged has nothing left to send.
        where: { endpointId: endpoint.id, status: 'failed', createdAt, msgId: Raw((column) => `NOT EXISTS (SELECT 1 FROM ${messages} m WHERE m.id = ${column} AND m.payloadPurgedAt IS NOT NULL)`) },
        take: RECOVER_BATCH,
      });
      if (batch.length === 0) return recovered;
      const now = new Date();
      await deliveries.update(
        { endpointId: endpoint.id, status: 'failed', msgId: In(batch.map((row) => row.msgId)) },
        { status: 'pending', trigger: 'manual', scheduleStep: 0, nextAttemptAt: now, leaseUntil: null, updatedAt: now },
      );
      await this.queue.enqueue(batch.map(({ msgId, attempts }) => ({ msgId, endpointId: endpoint.id, attempts })));
      recovered += batch.length;
    }
  }

  /** Sends the event type's example payload (the first, or the `exampleIndex`th) to this one endpoint, as a real message. */
  async sendExample(appIdOrUid: string, endpointIdOrUid: string, eventType: string, exampleIndex = 0): Promise<MessageEntity> {
    const application = await this.applications.get(appIdOrUid);
    const endpoint = await this.endpoints.get(application.id, endpointIdOrUid);
    const example = await this.eventTypes.example(eventType, exampleIndex);
    return this.producer.publish(application.id, { eventType, payload: example }, JSON.stringify(example), [endpoint]);
  }
}
