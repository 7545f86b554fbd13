import { forwardRef, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import type { AttemptEntity, EndpointEntity, MessageEntity } from '../entities/index.js';
import { OPERATIONAL_EVENT } from '../webhooks.constants.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { ProducerService } from '../producer/producer.service.js';
import { findApplication } from '../store/application-lookup.js';

/** The body of an operational event, in Svix's shape. */
export interface OperationalEvent<T = Record<string, unknown>> {
  type: string;
  timestamp: string;
  data: T;
}

type EndpointEvent = (typeof OPERATIONAL_EVENT)['endpointCreated' | 'endpointUpdated' | 'endpointDeleted' | 'endpointDisabled'];
type AttemptEvent = (typeof OPERATIONAL_EVENT)['messageAttemptFailing' | 'messageAttemptExhausted' | 'messageAttemptRecovered'];

/**
 * Tells the operator what happened to endpoints and deliveries: as a Nest event when the host has
 * `EventEmitterModule`, and as a webhook to the operational application if one is set.
 */
@Injectable()
export class OperationalEventsService {
  private readonly logger = new Logger('HomingOperationalEvents');
  private operationalAppId?: string;

  constructor(
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    @Inject(forwardRef(() => ProducerService)) private readonly producer: ProducerService,
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @Optional() private readonly eventEmitter?: EventEmitter2,
  ) {}

  /** `endpoint.*`: `{ appId, appUid, endpointId, endpointUid }`, plus `failSince` and `trigger` for `endpoint.disabled`. */
  async endpoint(type: EndpointEvent, endpoint: Pick<EndpointEntity, 'id' | 'uid' | 'appId'>, extra: Record<string, unknown> = {}): Promise<void> {
    if (!this.observed) return;
    const appUid = await this.appUid(endpoint.appId);
    await this.publish(type, { appId: endpoint.appId, appUid, endpointId: endpoint.id, endpointUid: endpoint.uid, ...extra });
  }

  /** `message.attempt.*`: `{ appId, appUid, msgId, msgEventId, endpointId, lastAttempt: { id, responseStatusCode, timestamp } }`. */
  async attempt(type: AttemptEvent, message: Pick<MessageEntity, 'id' | 'appId' | 'eventId'>, attempt: AttemptEntity): Promise<void> {
    // Deliveries of operational events themselves are not reported: a failing operator endpoint would feed on itself.
    if (!this.observed || (await this.isOperationalApp(message.appId))) return;
    await this.publish(type, {
      appId: message.appId,
      appUid: await this.appUid(message.appId),
      msgId: message.id,
      msgEventId: message.eventId,
      endpointId: attempt.endpointId,
      lastAttempt: { id: attempt.id, responseStatusCode: attempt.responseStatusCode, timestamp: attempt.createdAt.toISOString() },
    });
  }

  async publish(type: string, data: Record<string, unknown>): Promise<void> {
    const event: OperationalEvent = { type, timestamp: new Date().toISOString(), data };
    this.eventEmitter?.emit(type, event);
    if (!this.options.operationalApp) return;
    try {
      await this.producer.send(this.options.operationalApp, { eventType: type, payload: event });
    } catch (error) {
      this.logger.error(`could not send ${type} to the operational application: ${(error as Error).message}`);
    }
  }

  /** Whether anyone would hear an event: a Nest event emitter or an operational application. */
  private get observed(): boolean {
    return this.eventEmitter !== undefined || this.options.operationalApp !== undefined;
  }

  private async isOperationalApp(appId: string): Promise<boolean> {
    if (!this.options.operationalApp) return false;
    this.operationalAppId ??= (await findApplication(this.dataSource, this.options.operationalApp).catch(() => null))?.id;
    return appId === this.operationalAppId;
  }

  private appUid(appId: string): Promise<string | null> {
    return findApplication(this.dataSource, appId).then(
      (application) => application?.uid ?? null,
      () => null,
    );
  }
}
