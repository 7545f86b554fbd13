import { Injectable, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { AttemptEntity, DeliveryEntity, EndpointEntity, MessageEntity } from '../entities/index.js';
import { newId } from '../entities/entity-id.js';
import { SecretCipher } from '../security/secret-cipher.js';
import { signingSecrets } from '../signing/secret-rotation.js';
import { signatureHeaders } from '../signing/webhook-signer.js';
import { HOMING_EVENT, RETRY_AFTER_CAP_MS } from '../webhooks.constants.js';
import { InjectWebhooksDataSource, InjectWebhooksOptions } from '../webhooks.decorators.js';
import type { AttemptMadeEvent } from './attempt-made.event.js';
import { DeliveryQueue, type DeliveryJob } from './delivery.queue.js';
import { EndpointHealthService } from './endpoint-health.service.js';
import { nextRetryDelay } from './retry-schedule.js';
import { WebhookHttpClient, type HttpOutcome } from './webhook-http.client.js';

/** How long past the request timeout a claimed row stays claimed before the sweeper presumes its worker dead. */
const LEASE_MARGIN_MS = 5_000;
/** Answers whose `Retry-After` is honoured. */
const THROTTLED = new Set([429, 503]);
const GONE = 410;

/** Makes one attempt of one delivery and records what came of it. */
@Injectable()
export class DeliveryService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly http: WebhookHttpClient,
    private readonly queue: DeliveryQueue,
    private readonly health: EndpointHealthService,
    private readonly secrets: SecretCipher,
    @Optional() private readonly events?: EventEmitter2,
  ) {}

  async deliver(job: DeliveryJob): Promise<void> {
    if (!(await this.claim(job, new Date()))) return;
    const [delivery, message, endpoint] = await Promise.all([
      this.dataSource.getRepository(DeliveryEntity).findOneBy({ msgId: job.msgId, endpointId: job.endpointId }),
      this.dataSource.getRepository(MessageEntity).findOneBy({ id: job.msgId }),
      this.dataSource.getRepository(EndpointEntity).findOneBy({ id: job.endpointId }),
    ]);
    if (!delivery) return;
    if (!message || !endpoint || endpoint.disabled) {
      // Nothing to send to: the delivery ends failed, and a recover after re-enabling sends it again.
      await this.finish(job, { status: 'failed', nextAttemptAt: null, leaseUntil: null, updatedAt: new Date() });
      return;
    }
    const outcome = await this.send(message, endpoint);
    await this.record(delivery, message, endpoint, outcome);
  }

  /** Takes the row for this attempt; false when another worker has it or it is no longer owed. */
  private async claim(job: DeliveryJob, at: Date): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(DeliveryEntity)
      .set({ status: 'sending', leaseUntil: new Date(at.getTime() + this.options.requestTimeoutMs + LEASE_MARGIN_MS), updatedAt: at })
      .where({ msgId: job.msgId, endpointId: job.endpointId, status: 'pending', attempts: job.attempts })
      .execute();
    return result.affected === 1;
  }

  private send(message: MessageEntity, endpoint: EndpointEntity): Promise<HttpOutcome> {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      ...endpoint.headers,
      'content-type': 'application/json',
      'user-agent': 'Homing-Webhooks/0.1',
      // During a secret rotation the old secret signs too, so receivers still on it keep verifying.
      ...signatureHeaders(signingSecrets(this.secrets.openSecrets(endpoint)), message.id, timestamp, message.payload),
    };
    return this.http.post(endpoint.url, message.payload, headers);
  }

  private async record(delivery: DeliveryEntity, message: MessageEntity, endpoint: EndpointEntity, outcome: HttpOutcome): Promise<void> {
    const at = new Date();
    const success = outcome.statusCode >= 200 && outcome.statusCode < 300;
    const attempts = delivery.attempts + 1;
    const scheduleStep = delivery.scheduleStep + 1;
    const gone = outcome.statusCode === GONE;
    const retryDelay = success || gone ? null : this.retryDelay(delivery, scheduleStep, outcome);
    const nextAttemptAt = retryDelay === null ? null : new Date(at.getTime() + retryDelay);

    const attempt: AttemptEntity = {
      id: newId('attempt'),
      msgId: message.id,
      endpointId: endpoint.id,
      appId: message.appId,
      url: endpoint.url,
      status: success ? 'success' : 'failed',
      responseStatusCode: outcome.statusCode,
      response: outcome.body,
      responseDurationMs: outcome.durationMs,
      trigger: delivery.trigger,
      createdAt: at,
    };
    await this.dataSource.getRepository(AttemptEntity).insert(attempt);
    await this.finish(delivery, {
      status: success ? 'success' : nextAttemptAt ? 'pending' : 'failed',
      attempts,
      scheduleStep,
      nextAttemptAt,
      leaseUntil: null,
      updatedAt: at,
    });
    if (nextAttemptAt) {
      await this.queue.enqueue([{ msgId: message.id, endpointId: endpoint.id, attempts, dueAt: nextAttemptAt }]);
    }
    if (success) await this.health.recordSuccess(endpoint);
    else if (gone) await this.health.disable(endpoint, 'the endpoint answered 410 Gone', at);
    else await this.health.recordFailure(endpoint, at);
    this.events?.emit(HOMING_EVENT.attemptMade, { attempt, messageDueAt: message.deliverAt ?? message.createdAt } satisfies AttemptMadeEvent);
  }

  /** The schedule's next delay, stretched to what a throttled receiver asked for (up to a cap); null when none is left. */
  private retryDelay(delivery: DeliveryEntity, scheduleStep: number, outcome: HttpOutcome): number | null {
    if (delivery.trigger !== 'scheduled') return null;
    const scheduled = nextRetryDelay(this.options.retrySchedule, scheduleStep);
    if (scheduled === null || outcome.retryAfterMs === undefined || !THROTTLED.has(outcome.statusCode)) return scheduled;
    return Math.max(scheduled, Math.min(outcome.retryAfterMs, RETRY_AFTER_CAP_MS));
  }

  /** Gives claimed deliveries back to the queue unattempted (a worker shutting down). */
  async release(jobs: readonly DeliveryJob[]): Promise<void> {
    const now = new Date();
    for (const job of jobs) await this.finish(job, { status: 'pending', nextAttemptAt: now, leaseUntil: null, updatedAt: now });
    await this.queue.enqueue(jobs);
  }

  private async finish(job: DeliveryJob, changes: Partial<DeliveryEntity>): Promise<void> {
    await this.dataSource
      .getRepository(DeliveryEntity)
      .update({ msgId: job.msgId, endpointId: job.endpointId, status: 'sending', attempts: job.attempts }, changes);
  }
}
