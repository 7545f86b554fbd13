import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { WebhookController, WebhookHandler, WebhooksModule } from '@homing/webhooks';
import { generateSecret } from '@homing/webhooks/internal';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useHarness } from '../support/harness.js';
import { type ReceiverTestApp, startReceiverApp } from '../support/receiver-app.js';

const SECRET = generateSecret();

/** What the receiving app's handler saw of each run: the traceparent it was sent and the span it ran in. */
const received: { traceparent: string; traceId: string; spanId: string }[] = [];
let failFirst = true;

@WebhookController('hooks')
class TracedWebhooks {
  @WebhookHandler('order.completed')
  completed(_payload: unknown, ctx: { headers: Record<string, string | string[] | undefined> }) {
    const span = trace.getActiveSpan()!.spanContext();
    received.push({ traceparent: String(ctx.headers.traceparent), traceId: span.traceId, spanId: span.spanId });
    if (failFirst) {
      failFirst = false;
      throw new Error('not yet');
    }
  }
}

describe('traces, with no OpenTelemetry SDK registered', () => {
  const h = useHarness({ retrySchedule: '50ms' });

  it('stores no trace context and sends no traceparent', async () => {
    const app = await h.homing.applications.create({ name: 'Untraced' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/untraced') });
    const message = await h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { id: 1 } });
    await h.settled(message.id, endpoint.id);
    expect(message.traceContext).toBeNull();
    expect(h.receiver.on('/untraced')[0].headers.traceparent).toBeUndefined();
  });
});

describe('traces, with an OpenTelemetry SDK registered', () => {
  const exporter = new InMemorySpanExporter();
  const h = useHarness({ retrySchedule: '50ms' });
  let receiver: ReceiverTestApp;

  beforeAll(async () => {
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    receiver = await startReceiverApp({ imports: [WebhooksModule.forReceiver({ secret: SECRET })], controllers: [TracedWebhooks] });
  });

  afterAll(async () => {
    await receiver?.close();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it("makes a message's creation, each queued delivery's claim, each attempt and outcome, and the receiver's run spans of one trace", async () => {
    const app = await h.homing.applications.create({ name: 'Traced' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: receiver.url('hooks'), secret: SECRET });
    // The caller's own span: the message's creation is its child.
    const caller = trace.getTracer('test').startSpan('checkout');
    const message = await context.with(trace.setSpan(context.active(), caller), () =>
      h.homing.producer.send(app.id, { eventType: 'order.completed', payload: { type: 'order.completed', id: 2 } }),
    );
    caller.end();
    await h.settled(message.id, endpoint.id);
    const byName = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);
    await vi.waitFor(() => expect(byName('homing.delivery.outcome')).toHaveLength(2));

    const traceId = caller.spanContext().traceId;
    const [create] = byName('homing.message.create');
    expect(create.spanContext().traceId).toBe(traceId);
    expect(parentOf(create)).toBe(caller.spanContext().spanId);
    expect(create.attributes).toMatchObject({ 'homing.message_id': message.id, 'homing.event_type': 'order.completed', 'homing.endpoints': 1 });

    const claims = byName('homing.delivery.claim');
    const attempts = byName('homing.delivery.attempt');
    const outcomes = byName('homing.delivery.outcome');
    for (const span of [...claims, ...attempts, ...outcomes]) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(parentOf(span)).toBe(create.spanContext().spanId);
    }
    // The first attempt's row was written claimed with the message (a worker's own new message): only the retry claims one.
    expect(claims.map((span) => span.attributes['homing.attempt'])).toEqual([2]);
    expect(attempts.map((span) => [span.attributes['http.response.status_code'], span.status.code])).toEqual([
      [500, SpanStatusCode.ERROR],
      [200, SpanStatusCode.UNSET],
    ]);
    expect(outcomes.map((span) => span.attributes['homing.outcome'])).toEqual(['pending', 'success']);

    // Each request carried its attempt's context, and the receiver's run continued it.
    expect(received.map((run) => run.traceparent)).toEqual(attempts.map((span) => `00-${traceId}-${span.spanContext().spanId}-01`));
    const receives = byName('homing.webhook.receive');
    expect(receives.map((span) => [span.spanContext().traceId, parentOf(span), span.status.code])).toEqual([
      [traceId, attempts[0].spanContext().spanId, SpanStatusCode.ERROR],
      [traceId, attempts[1].spanContext().spanId, SpanStatusCode.UNSET],
    ]);
    expect(received.map((run) => run.spanId)).toEqual(receives.map((span) => span.spanContext().spanId));
  });
});

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
