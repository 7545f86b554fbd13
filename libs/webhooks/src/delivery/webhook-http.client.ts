import type { Readable } from 'node:stream';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import axios, { type AxiosInstance } from 'axios';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { DestinationPolicy, ForbiddenDestinationError } from '../security/destination-policy.js';
import { createOutboundAgents, type OutboundAgents } from '../security/outbound-agents.js';
import { RESPONSE_BODY_LIMIT, WEBHOOKS_OPTIONS } from '../webhooks.constants.js';

export interface HttpOutcome {
  /** HTTP status, 0 when none came. */
  statusCode: number;
  /** The first 20 kB of the response body, or what went wrong. */
  body: string;
  durationMs: number;
  /** What a `Retry-After` header asked for, in ms. */
  retryAfterMs?: number;
}

/** Posts one signed delivery. Never throws: every outcome is something to record. */
@Injectable()
export class WebhookHttpClient implements OnApplicationShutdown {
  private readonly agents: OutboundAgents;
  private readonly client: AxiosInstance;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly destinations: DestinationPolicy,
  ) {
    this.agents = createOutboundAgents(options.proxyUrl, destinations);
    this.client = axios.create({
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
  }

  async post(url: string, body: string, headers: Record<string, string>): Promise<HttpOutcome> {
    const started = performance.now();
    const timeoutMs = this.options.requestTimeoutMs;
    // Bounds the whole exchange, body included; axios' own timeout only covers the wait for headers.
    // Cleared when done, unlike AbortSignal.timeout, whose timer and signal live on for the whole timeout.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const { signal } = controller;
    const elapsed = () => Math.round(performance.now() - started);
    try {
      // Connections made directly are judged again on their resolved address by the agents' lookup.
      const refused = await this.destinations.refusal(url, { resolve: this.agents.proxied });
      if (refused) throw new ForbiddenDestinationError(refused);
      const response = await this.client.post<Readable>(url, body, { headers, signal, timeout: timeoutMs });
      const text = await readPrefix(response.data, RESPONSE_BODY_LIMIT);
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      return { statusCode: response.status, body: text, durationMs: elapsed(), retryAfterMs };
    } catch (error) {
      const timedOut = signal.aborted || (axios.isAxiosError(error) && error.code === 'ECONNABORTED');
      const reason = timedOut ? `timeout after ${timeoutMs} ms` : describeError(error);
      return { statusCode: 0, body: reason, durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
    }
  }

  /** At the very end of shutdown: deliveries in flight finish first (see DeliveryProcessor). */
  onApplicationShutdown(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** Reads at most `limit` bytes of a response and drops the rest of it. */
async function readPrefix(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= limit) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function describeError(error: unknown): string {
  if (axios.isAxiosError(error)) return error.code ? `${error.code}: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}
