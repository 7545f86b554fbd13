import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

/**
 * OpenTelemetry spans of a message's life, through `@opentelemetry/api` only: with no SDK registered
 * by the host or the dispatcher, the tracer and the propagator are the API's no-ops, nothing is
 * recorded and no context is stored or sent.
 *
 * The creation's context is stored with the message (`traceContext`, in the registered propagator's
 * format), so its deliveries, in whichever process and however much later, are spans of the same
 * trace: a claim, an attempt (whose context goes out in the request's `traceparent`, so the receiver's
 * trace continues it), and the outcome the attempt's record came to.
 */
const TRACER = '@homing/webhooks';

export const SPAN = {
  create: 'homing.message.create',
  claim: 'homing.delivery.claim',
  attempt: 'homing.delivery.attempt',
  outcome: 'homing.delivery.outcome',
  receive: 'homing.webhook.receive',
} as const;

// A proxy: it reaches whichever provider is registered, also one registered after this module loads.
const tracer = trace.getTracer(TRACER);

/** A context as the registered propagator writes it (W3C: `traceparent`, `tracestate`). */
export type TraceCarrier = Record<string, string>;

/** Null when the propagator writes nothing (no SDK registered). */
function carrierOf(spanContext: Context): TraceCarrier | null {
  const carrier: TraceCarrier = {};
  propagation.inject(spanContext, carrier);
  return Object.keys(carrier).length > 0 ? carrier : null;
}

/** Starts a message's creation span under the caller's active context; `end` it once the message is stored. */
export function startCreation(attributes: Attributes): { span: Span; carrier: TraceCarrier | null } {
  const span = tracer.startSpan(SPAN.create, { kind: SpanKind.PRODUCER, attributes });
  return { span, carrier: carrierOf(trace.setSpan(context.active(), span)) };
}

/** Ends a span, as failed when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** The stored creation context of a message, to parent its deliveries' spans. */
export function messageContext(carrier: TraceCarrier | null): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/** A span that already happened (the claim, made in a batch before the message was read). */
export function recordSpan(name: string, parent: Context, startedAt: Date, endedAt: Date, attributes: Attributes): void {
  tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: startedAt, attributes }, parent).end(endedAt);
}

/** Starts an attempt's span; its context is what `traceHeaders` puts on the request. */
export function startSpan(name: string, parent: Context, kind: SpanKind, attributes: Attributes): { span: Span; context: Context } {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** The headers that carry `spanContext` to a receiver (W3C `traceparent` with the SDK's usual propagator). */
export function traceHeaders(spanContext: Context): Record<string, string> {
  return carrierOf(spanContext) ?? {};
}

/** Runs a receiver's handlers in a span that continues the sender's trace from the request's headers. */
export function inReceiveSpan<T>(headers: Record<string, string | string[] | undefined>, attributes: Attributes, run: () => Promise<T>): Promise<T> {
  const parent = propagation.extract(context.active(), headers, {
    get: (carrier, key) => carrier[key],
    keys: (carrier) => Object.keys(carrier),
  });
  return tracer.startActiveSpan(SPAN.receive, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      const result = await run();
      endSpan(span);
      return result;
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
  });
}
