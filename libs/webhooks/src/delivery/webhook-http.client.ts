import type { ClientRequest, IncomingMessage } from 'node:http';
import { finished, type Readable } from 'node:stream';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import axios, { AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig, type RawAxiosHeaders } from 'axios';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { ForbiddenDestinationError } from '../exceptions/homing-errors.js';
import { DestinationPolicy } from '../security/destination-policy.js';
import type { TransformationMethod } from '../transformation/webhook-object.js';
import { createOutboundAgents, type OutboundAgents } from '../security/outbound-agents.js';
import { RESPONSE_BODY_LIMIT, WEBHOOKS_OPTIONS } from '../webhooks.constants.js';

export interface HttpOutcome {
  /** HTTP status, 0 when none came. */
  statusCode: number;
  /** The first 20 kB of the response body (what came of it by the deadline), or what went wrong. */
  body: string;
  durationMs: number;
  /** What a `Retry-After` header asked for, in ms. */
  retryAfterMs?: number;
  /** The response's headers as the receiver wrote them, in order; none when no response came. */
  headers?: [string, string][];
}

/** Sends one signed delivery (a POST, or the method its transformation chose). Never throws: every outcome is something to record. */
@Injectable()
export class WebhookHttpClient implements OnApplicationShutdown {
  private readonly agents: OutboundAgents;
  /** axios's HTTP adapter, and the request config it is given, merged once (see `send`). */
  private readonly adapter: AxiosAdapter;
  private readonly config: InternalAxiosRequestConfig;
  /** axios's own default headers (its `Accept`), which a request's headers of the same name replace. */
  private readonly defaultHeaders: AxiosHeaders;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly destinations: DestinationPolicy,
  ) {
    this.agents = createOutboundAgents(options.proxyUrl, destinations);
    const client = axios.create({
      httpAgent: this.agents.http,
      httpsAgent: this.agents.https,
      // A redirect is an answer (and a failure), never a second request to somewhere else.
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'stream',
      proxy: false,
      // The body is signed JSON text, sent as is: axios would otherwise parse it to check it is JSON.
      transformRequest: [(body: string) => body],
    });
    // The instance's defaults are axios's merged with the above: what `request()` would start from.
    const { headers: defaultHeaders, ...config } = client.defaults;
    this.config = config as InternalAxiosRequestConfig;
    this.adapter = axios.getAdapter(config.adapter);
    this.defaultHeaders = new AxiosHeaders(defaultHeaders.common as RawAxiosHeaders);
  }

  async deliver(url: string, body: string, headers: Record<string, string>, method: TransformationMethod = 'POST'): Promise<HttpOutcome> {
    const started = performance.now();
    const timeoutMs = this.options.requestTimeoutMs;
    // One timer bounds the whole exchange (cleared when done, unlike AbortSignal.timeout's). At the deadline,
    // without a status line the exchange is aborted as a timeout; with one, the status stands and only the
    // body read stops, keeping what came. Judged one I/O turn later (setImmediate runs after the poll phase):
    // after an event-loop stall timers run before the socket is read, and an answer already there is no timeout.
    const controller = new AbortController();
    let response: AxiosResponse<Readable> | undefined;
    let judging: NodeJS.Immediate | undefined;
    const timer = setTimeout(() => {
      judging = setImmediate(() => (response ? response.data.destroy() : controller.abort()));
    }, timeoutMs);
    const elapsed = () => Math.round(performance.now() - started);
    try {
      // Connections made directly are judged again on their resolved address by the agents' lookup.
      const refused = await this.destinations.refusal(url, { resolve: this.agents.proxied });
      if (refused) throw refused;
      // No axios `timeout`: its own timers would fire before a stalled loop reads the answer, the same race.
      response = await this.send(method, url, body, headers, controller.signal);
      const text = await readPrefix(response.data, RESPONSE_BODY_LIMIT);
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      return { statusCode: response.status, body: text, durationMs: elapsed(), retryAfterMs, headers: headerPairs(response) };
    } catch (error) {
      const reason = controller.signal.aborted ? `timeout after ${timeoutMs} ms` : describeError(error);
      return { statusCode: 0, body: reason, durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
      clearImmediate(judging);
    }
  }

  /**
   * A kept-alive connection the receiver closed as it went idle can be reset just as it is reused:
   * the request never reached the receiver, so it goes again on another connection (Node's documented
   * remedy, `request.reusedSocket`) rather than being recorded as a failed attempt.
   */
  private async send(method: string, url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<AxiosResponse<Readable>> {
    for (let reuses = 0; ; reuses += 1) {
      try {
        // Straight to the adapter with the config merged once: `request()` would merge the defaults, copy
        // and re-case the headers and run the (identity) transforms again for every delivery, which cost
        // more CPU than the adapter's whole exchange (bench: 440–640 µs a request against 300).
        const request = AxiosHeaders.concat(this.defaultHeaders, headers);
        return (await this.adapter({ ...this.config, method, url, data: body, headers: request, signal })) as AxiosResponse<Readable>;
      } catch (error) {
        if (reuses >= STALE_SOCKET_RETRIES || signal.aborted || !resetWhenReused(error)) throw error;
      }
    }
  }

  /** At the very end of shutdown: deliveries in flight finish first (see DeliveryProcessor). */
  onApplicationShutdown(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** Stale kept-alive connections tried in a row before the reset counts (the agent keeps a few free sockets per host). */
const STALE_SOCKET_RETRIES = 3;

/** Reset or closed before any answer, on a connection the agent reused. */
function resetWhenReused(error: unknown): boolean {
  if (!axios.isAxiosError(error) || error.response) return false;
  const request = error.request as ClientRequest | undefined;
  return request?.reusedSocket === true && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
}

/**
 * Reads at most `limit` bytes of a response body and drops the rest. Never fails: however the body ends
 * (complete, cut at the deadline, connection dropped), what came is the body; the status already decided.
 */
function readPrefix(stream: Readable, limit: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) stream.destroy();
    });
    finished(stream, () => resolve(Buffer.concat(chunks).subarray(0, limit).toString('utf8')));
  });
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The response's header lines from Node's own message (which the request keeps as `res`): axios's
 * `headers` lower-cases names and joins repeats, and its stream is the decompressed body, not the message.
 */
function headerPairs(response: AxiosResponse): [string, string][] {
  const raw = (response.request as ClientRequest & { res?: IncomingMessage }).res?.rawHeaders ?? [];
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  return pairs;
}

function describeError(error: unknown): string {
  // A refusal at connect time comes wrapped by axios, which copies its code; its own message says it all.
  if (axios.isAxiosError(error) && error.cause instanceof ForbiddenDestinationError) return error.cause.message;
  if (axios.isAxiosError(error)) return error.code ? `${error.code}: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}
