import { Injectable, Optional } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import type { AttemptEntity, DeliveryEntity, EndpointEntity, LoadedDelivery, MessageEntity } from '../entities/index.js';
import { newId } from '../entities/entity-id.js';
import { OperationalEventsService } from '../operational/operational-events.service.js';
import { SecretCipher } from '../security/secret-cipher.js';
import { HOMING_EVENT, RETRY_AFTER_CAP_MS } from '../webhooks.constants.js';
import { InjectWebhooksOptions } from '../webhooks.decorators.js';
import { attemptEvents } from './attempt-events.js';
import type { AttemptMadeEvent } from './attempt-made.event.js';
import { deliveryRequest, maskedHeaders, type DeliveryRequest } from './delivery-request.js';
import { DeliveryQueue, type DeliveryJob } from '../queue/delivery.queue.js';
import { DeliveryStore } from '../store/delivery.store.js';
import { DeliveryLines } from '../store/delivery-lines.js';
import { DeliveryThrottle, type ThrottleSlot } from './delivery.throttle.js';
import { EndpointHealthService } from './endpoint-health.service.js';
import { nextRetryDelay } from './retry-schedule.js';
import { endSpan, messageContext, recordSpan, SPAN, startSpan, traceHeaders } from '../tracing/webhook-tracing.js';
import { TransformationRunner } from '../transformation/transformation.runner.js';
import { WebhookHttpClient, type HttpOutcome } from './webhook-http.client.js';

/** How long past the request timeout a claimed row stays claimed before the sweeper presumes its worker dead. */
const LEASE_MARGIN_MS = 5_000;
/** Answers whose `Retry-After` is honoured. */
const THROTTLED = new Set([429, 503]);
const GONE = 410;

const isSuccess = (outcome: HttpOutcome) => outcome.statusCode >= 200 && outcome.statusCode < 300;

/** Makes one attempt of one delivery and records what came of it. */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly store: DeliveryStore,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
    private readonly http: WebhookHttpClient,
    private readonly queue: DeliveryQueue,
    private readonly health: EndpointHealthService,
    private readonly secrets: SecretCipher,
    private readonly throttle: DeliveryThrottle,
    private readonly operationalEvents: OperationalEventsService,
    private readonly lines: DeliveryLines,
    private readonly transformations: TransformationRunner,
    @Optional() private readonly events?: EventEmitter2,
  ) {}

  /** How long a row claimed now stays claimed: past it, the sweeper presumes its worker dead. */
  leaseUntil(now = new Date()): Date {
    return new Date(now.getTime() + this.options.requestTimeoutMs + LEASE_MARGIN_MS);
  }

  /** Claims the job's row and makes the attempt; `sent` is called once the request is over, before its outcome is recorded. */
  async deliver(job: DeliveryJob, sent?: (outcome: HttpOutcome) => void): Promise<void> {
    const now = new Date();
    const loaded = await this.store.claim(job, this.leaseUntil(now), now);
    if (!loaded) return;
    const { message } = loaded;
    recordSpan(SPAN.claim, messageContext(message?.traceContext ?? null), now, new Date(), tracedOf(loaded));
    await this.attempt(loaded, sent);
  }

  /** Makes the attempt of a delivery this worker holds (claimed, or written claimed), and records it. */
  async attempt(loaded: LoadedDelivery, sent?: (outcome: HttpOutcome) => void): Promise<void> {
    const { delivery, message, endpoint, application } = loaded;
    const job = jobOf(loaded);
    const traced = tracedOf(loaded);
    const parent = messageContext(message?.traceContext ?? null);
    if (!message || !application || message.payloadPurgedAt || !endpoint || endpoint.disabled) {
      // Nothing to send to: the delivery ends failed, and a recover after re-enabling sends it again.
      await this.finish(job, { status: 'failed', nextAttemptAt: null, leaseUntil: null, updatedAt: new Date() });
      if (endpoint?.ordering === 'fifo') await this.lines.advance(endpoint.id);
      return;
    }
    const rate = endpoint.rateLimit ?? application.rateLimit;
    if (rate) {
      // A row postponed earlier holds its slot, whichever job wakes it.
      if (!delivery.throttleSlotAt) {
        const slot = await this.throttle.reserve(endpoint.id, rate);
        if (slot.waitMs > 0) return this.postpone(job, slot);
      }
      // Slots space the reservations; a busy worker may still wake late for one and on time for the next.
      await this.throttle.takeTurn(endpoint.id, rate);
    }
    // The endpoint's transformation, if it has one, before signing: the signature covers the bytes it makes.
    const script = TransformationRunner.activeOn(endpoint);
    const started = performance.now();
    const transformed = script && (await this.transformations.transform(script, message, endpoint.url));
    if (transformed && transformed.kind !== 'send') {
      const durationMs = Math.round(performance.now() - started);
      if (transformed.kind === 'cancel') return this.cancelled(delivery, message, endpoint, durationMs);
      const outcome = { statusCode: 0, body: `transformation failed: ${transformed.reason}`, durationMs };
      await this.record(loaded, message, endpoint, null, outcome);
      return;
    }
    const sending = transformed ? transformed.request : { method: 'POST' as const, url: endpoint.url, headers: {}, body: message.payload, contentType: message.contentType };
    const request = deliveryRequest({ ...message, payload: sending.body, contentType: sending.contentType }, this.secrets.openSecrets(endpoint), application, new Date(), sending.headers);
    const attempt = startSpan(SPAN.attempt, parent, SpanKind.CLIENT, { ...traced, 'http.request.method': sending.method, 'url.full': sending.url });
    // Not signed (nor part of what is signed): the receiver's trace continues the attempt's.
    Object.assign(request.headers, traceHeaders(attempt.context));
    const outcome = await this.http.deliver(sending.url, request.body, request.headers, sending.method);
    attempt.span.setAttribute('http.response.status_code', outcome.statusCode);
    endSpan(attempt.span, isSuccess(outcome) ? undefined : outcome.statusCode > 0 ? `answered ${outcome.statusCode}` : outcome.body);
    sent?.(outcome);
    const recording = startSpan(SPAN.outcome, parent, SpanKind.INTERNAL, traced);
    try {
      recording.span.setAttribute('homing.outcome', await this.record(loaded, message, endpoint, { request, url: sending.url }, outcome));
      endSpan(recording.span);
    } catch (error) {
      endSpan(recording.span, error);
      throw error;
    }
  }

  /** Gives the row back until the endpoint's throttle slot comes, holding the slot: it waits, it does not fail. */
  private async postpone(job: DeliveryJob, slot: ThrottleSlot): Promise<void> {
    const now = new Date();
    const dueAt = new Date(now.getTime() + slot.waitMs);
    await this.finish(job, { status: 'pending', nextAttemptAt: dueAt, throttleSlotAt: new Date(slot.slotAt), leaseUntil: null, updatedAt: now });
    await this.queue.enqueue([{ msgId: job.msgId, endpointId: job.endpointId, attempts: job.attempts, slotAt: slot.slotAt, dueAt }]);
  }

  /**
   * Records the attempt and the delivery's new state, which it returns. `sent` is the request made and where it
   * went; null when none was (its transformation failed).
   */
  private async record(
    { delivery, retrySchedule }: LoadedDelivery,
    message: MessageEntity,
    endpoint: EndpointEntity,
    sent: { request: DeliveryRequest; url: string } | null,
    outcome: HttpOutcome,
  ): Promise<DeliveryEntity['status']> {
    const at = new Date();
    const success = isSuccess(outcome);
    const attempts = delivery.attempts + 1;
    const scheduleStep = delivery.scheduleStep + 1;
    const gone = outcome.statusCode === GONE;
    const schedule = async () => (retrySchedule === undefined ? await this.store.retrySchedule(message.eventType) : retrySchedule) ?? this.options.retrySchedule;
    const retryDelay = success || gone || delivery.trigger !== 'scheduled' ? null : this.retryDelay(await schedule(), scheduleStep, outcome);
    const nextAttemptAt = retryDelay === null ? null : new Date(at.getTime() + retryDelay);

    const attempt = attemptOf(delivery, message, at, {
      url: sent?.url ?? endpoint.url,
      status: success ? 'success' : 'failed',
      responseStatusCode: outcome.statusCode,
      response: outcome.body,
      responseDurationMs: outcome.durationMs,
      headers: sent && { sent: maskedHeaders(sent.request), sensitive: sent.request.sensitive, response: outcome.headers ?? null },
    });
    await this.store.insertAttempt(attempt);
    const status = success ? 'success' : nextAttemptAt ? 'pending' : 'failed';
    await this.finish(delivery, {
      status,
      attempts,
      scheduleStep,
      nextAttemptAt,
      throttleSlotAt: null,
      leaseUntil: null,
      updatedAt: at,
    });
    if (nextAttemptAt) {
      await this.queue.enqueue([{ msgId: message.id, endpointId: endpoint.id, attempts, dueAt: nextAttemptAt }]);
    }
    // An ordered endpoint's next delivery is due once this one has ended.
    if (status !== 'pending' && endpoint.ordering === 'fifo') await this.lines.advance(endpoint.id);
    if (success) await this.health.recordSuccess(endpoint);
    else if (gone) await this.health.disable(endpoint, 'the endpoint answered 410 Gone', at);
    else await this.health.recordFailure(endpoint, at);
    for (const type of attemptEvents({ trigger: delivery.trigger, scheduleStep, succeeded: success, retrying: nextAttemptAt !== null })) {
      await this.operationalEvents.attempt(type, message, attempt);
    }
    this.events?.emit(HOMING_EVENT.attemptMade, { attempt, messageDueAt: message.deliverAt ?? message.createdAt } satisfies AttemptMadeEvent);
    return status;
  }

  /**
   * A delivery its endpoint's transformation cancelled: no request is made, and it ends `canceled` with an
   * attempt listed as cancelled, as Svix lists it. Not a failure: no retry, the endpoint's health unchanged.
   */
  private async cancelled(delivery: DeliveryEntity, message: MessageEntity, endpoint: EndpointEntity, durationMs: number): Promise<void> {
    const at = new Date();
    const attempt = attemptOf(delivery, message, at, {
      url: endpoint.url,
      status: 'canceled',
      responseStatusCode: 0,
      response: "canceled by the endpoint's transformation; no request was made",
      responseDurationMs: durationMs,
      headers: null,
    });
    await this.store.insertAttempt(attempt);
    await this.finish(delivery, {
      status: 'canceled',
      attempts: delivery.attempts + 1,
      scheduleStep: delivery.scheduleStep + 1,
      nextAttemptAt: null,
      throttleSlotAt: null,
      leaseUntil: null,
      updatedAt: at,
    });
    if (endpoint.ordering === 'fifo') await this.lines.advance(endpoint.id);
    this.events?.emit(HOMING_EVENT.attemptMade, { attempt, messageDueAt: message.deliverAt ?? message.createdAt } satisfies AttemptMadeEvent);
  }

  /**
   * A scheduled delivery's next delay in the schedule (the message's event type's own, else the dispatcher's),
   * stretched to what a throttled receiver asked for (up to a cap); null when none is left.
   */
  private retryDelay(retrySchedule: readonly number[], scheduleStep: number, outcome: HttpOutcome): number | null {
    const scheduled = nextRetryDelay(retrySchedule, scheduleStep);
    if (scheduled === null || outcome.retryAfterMs === undefined || !THROTTLED.has(outcome.statusCode)) return scheduled;
    return Math.max(scheduled, Math.min(outcome.retryAfterMs, RETRY_AFTER_CAP_MS));
  }

  /** Gives claimed deliveries back to the queue unattempted (a worker shutting down). */
  async release(jobs: readonly DeliveryJob[]): Promise<void> {
    const now = new Date();
    for (const job of jobs) await this.finish(job, { status: 'pending', nextAttemptAt: now, leaseUntil: null, updatedAt: now });
    await this.queue.enqueue(jobs);
  }

  private finish(job: DeliveryJob, changes: Partial<DeliveryEntity>): Promise<void> {
    return this.store.finish(job, changes);
  }
}

/** An attempt of this delivery of the message, made now. */
function attemptOf(
  delivery: DeliveryEntity,
  message: MessageEntity,
  at: Date,
  outcome: Pick<AttemptEntity, 'url' | 'status' | 'responseStatusCode' | 'response' | 'responseDurationMs' | 'headers'>,
): AttemptEntity {
  return { id: newId('attempt'), msgId: message.id, endpointId: delivery.endpointId, appId: message.appId, ...outcome, trigger: delivery.trigger, createdAt: at };
}

/** The span attributes of this attempt of the delivery. */
function tracedOf({ delivery }: LoadedDelivery) {
  return { 'homing.message_id': delivery.msgId, 'homing.endpoint_id': delivery.endpointId, 'homing.attempt': delivery.attempts + 1, 'homing.trigger': delivery.trigger };
}

/** The job that names this attempt of a delivery this worker holds. */
export function jobOf({ delivery }: LoadedDelivery): DeliveryJob {
  return { msgId: delivery.msgId, endpointId: delivery.endpointId, attempts: delivery.attempts };
}
