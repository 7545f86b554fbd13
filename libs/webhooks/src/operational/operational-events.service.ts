import { forwardRef, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { ApplicationEntity, type AttemptEntity, type EndpointEntity, type MessageEntity } from '../entities/index.js';
import { isDuplicateKey } from '../entities/database-errors.js';
import { newId } from '../entities/entity-id.js';
import { OPERATIONAL_APP_ID, OPERATIONAL_EVENT } from '../webhooks.constants.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import { ProducerService } from '../producer/producer.service.js';
import { findApplication } from '../store/application-lookup.js';

/** The body of an operational event, in Svix's shape. */
export interface OperationalEvent<T = Record<string, unknown>> {
  type: string;
  timestamp: string;
  data: T;
}

type EndpointEvent = (typeof OPERATIONAL_EVENT)['endpointCreated' | 'endpointUpdated' | 'endpointDeleted' | 'endpointDisabled' | 'endpointEnabled'];
type AttemptEvent = (typeof OPERATIONAL_EVENT)['messageAttemptFailing' | 'messageAttemptExhausted' | 'messageAttemptRecovered'];

/**
 * Tells the operator what happened to endpoints, deliveries and background tasks: as a Nest event when
 * the host has `EventEmitterModule`, and as a webhook to the endpoints of the operational application:
 * the configured one (`operationalApp`), else the reserved one (`OPERATIONAL_APP_ID`) once the
 * operational webhook endpoints API has made it. Those webhooks are messages like any other: signed,
 * retried, logged.
 */
const RESERVED_RECHECK_MS = 5_000;

@Injectable()
export class OperationalEventsService {
  private readonly logger = new Logger('HomingOperationalEvents');
  private operationalAppId?: string;
  /** Whether the reserved application exists, as last seen: events skip all work while nobody listens. */
  private reserved?: { exists: boolean; seenAt: number };

  constructor(
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    @Inject(forwardRef(() => ProducerService)) private readonly producer: ProducerService,
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @Optional() private readonly eventEmitter?: EventEmitter2,
  ) {}

  /** `endpoint.*`: `{ appId, appUid, endpointId, endpointUid }`, plus `failSince` and `trigger` for `endpoint.disabled`. */
  async endpoint(type: EndpointEvent, endpoint: Pick<EndpointEntity, 'id' | 'uid' | 'appId'>, extra: Record<string, unknown> = {}): Promise<void> {
    if (!(await this.observed())) return;
    const appUid = await this.appUid(endpoint.appId);
    await this.publish(type, { appId: endpoint.appId, appUid, endpointId: endpoint.id, endpointUid: endpoint.uid, ...extra });
  }

  /** `message.attempt.*`: `{ appId, appUid, msgId, msgEventId, endpointId, lastAttempt: { id, responseStatusCode, timestamp } }`. */
  async attempt(type: AttemptEvent, message: Pick<MessageEntity, 'id' | 'appId' | 'eventId'>, attempt: AttemptEntity): Promise<void> {
    // Deliveries of operational events themselves are not reported: a failing operator endpoint would feed on itself.
    if (!(await this.observed()) || (await this.isOperationalApp(message.appId))) return;
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
    try {
      // The reserved one is sent to by id, so an application given that id as its uid cannot stand in for it.
      const target = this.options.operationalApp ?? ((await this.reservedExists()) ? OPERATIONAL_APP_ID : undefined);
      if (target) await this.producer.send(target, { eventType: type, payload: event });
    } catch (error) {
      this.reserved = undefined;
      this.logger.error(`could not send ${type} to the operational application: ${(error as Error).message}`);
    }
  }

  /** Whether anyone would hear an event: a Nest event emitter, the configured application or the reserved one. */
  private async observed(): Promise<boolean> {
    return this.eventEmitter !== undefined || this.options.operationalApp !== undefined || (await this.reservedExists());
  }

  /**
   * The reserved application exists only once an operational endpoint has been made (by this replica or
   * another): until then nobody listens, so its absence is asked again at most every few seconds, not per event.
   */
  private async reservedExists(): Promise<boolean> {
    const now = Date.now();
    if (this.reserved && (this.reserved.exists || now - this.reserved.seenAt < RESERVED_RECHECK_MS)) return this.reserved.exists;
    const exists = (await this.dataSource.getRepository(ApplicationEntity).countBy({ id: OPERATIONAL_APP_ID }).catch(() => 0)) > 0;
    this.reserved = { exists, seenAt: now };
    return exists;
  }

  /**
   * The application whose endpoints receive operational events, or null when it does not exist yet.
   * With `create`, makes it first: the configured one under its name as uid, else the reserved one.
   */
  async application(options: { create?: boolean } = {}): Promise<ApplicationEntity | null> {
    const configured = this.options.operationalApp;
    const find = () => (configured ? findApplication(this.dataSource, configured) : this.dataSource.getRepository(ApplicationEntity).findOneBy({ id: OPERATIONAL_APP_ID }));
    const found = await find();
    if (found || !options.create) return found;
    const now = new Date();
    try {
      await this.dataSource.getRepository(ApplicationEntity).insert({
        id: configured ? newId('application') : OPERATIONAL_APP_ID,
        uid: configured ?? null,
        name: 'Operational webhooks',
        createdAt: now,
        updatedAt: now,
      });
    } catch (error) {
      // Made by a concurrent request in the meantime.
      if (!isDuplicateKey(error)) throw error;
    }
    this.reserved = undefined;
    return find();
  }

  private async isOperationalApp(appId: string): Promise<boolean> {
    if (!this.options.operationalApp) return appId === OPERATIONAL_APP_ID;
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
