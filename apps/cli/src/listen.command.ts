import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { CliError, type CliIo } from './cli.io.js';
import { ApiError, type DispatcherClient, path, type Schemas } from './dispatcher.client.js';
import { clock } from './output.js';

/** A request the inbox received, as the dispatcher streams it (body base64). */
interface RelayedRequest {
  id: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: string;
}

interface RelayReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  durationMs: number;
  error?: string;
}

export interface ListenOptions {
  localUrl: string;
  /** An inbox made earlier, so its URL (given to endpoints) stays the same. */
  inbox?: string;
  /** Point the endpoint with this uid (made when missing) of `app` at the inbox URL. */
  endpoint?: { app: string; uid: string };
  json: boolean;
}

const LOCAL_TIMEOUT_MS = 10_000;
const RESPONSE_KEPT = 20 * 1024;
const RECONNECT_MS = 1_000;
/** Set by HTTP for the hop to the local server, not relayed. */
const NOT_FORWARDED = new Set(['host', 'content-length']);

/**
 * `homing listen`: holds an event stream from the dispatcher's relay inbox and forwards each request
 * it gets, headers and body unchanged, to a local URL; reports the answer back and prints one line.
 * Reconnects when the stream drops; returns when `io.signal` aborts.
 */
export async function listen(client: DispatcherClient, options: ListenOptions, io: CliIo): Promise<void> {
  const target = localTarget(options.localUrl);
  const inbox = options.inbox
    ? { id: options.inbox, url: `${client.connection.url.replace(/\/+$/, '')}/relay/${options.inbox}` }
    : await client.post<Schemas['RelayInboxOut']>('relay');
  if (options.inbox) await client.get(path`relay/${inbox.id}/requests`);
  io.err(`relaying ${inbox.url} -> ${target.href}`);
  if (!options.inbox) io.err(`use this URL as an endpoint URL; keep it next time with --inbox ${inbox.id}`);
  if (options.endpoint) await pointEndpoint(client, options.endpoint, inbox.url, io);
  while (!io.signal?.aborted) {
    try {
      await stream(client, inbox.id, io, (request) => void relay(client, inbox.id, target, request, options.json, io));
      if (!io.signal?.aborted) io.err('the dispatcher closed the stream; reconnecting');
    } catch (error) {
      if (io.signal?.aborted) break;
      if (error instanceof CliError && /^404\b/.test(error.message)) throw error;
      io.err(`disconnected (${(error as Error).message}); reconnecting in ${RECONNECT_MS / 1000} s`);
    }
    await sleep(RECONNECT_MS, io.signal);
  }
}

/** The application's endpoint `uid`, made or moved to the inbox URL; prints the secret its receiver verifies with. */
async function pointEndpoint(client: DispatcherClient, { app, uid }: { app: string; uid: string }, url: string, io: CliIo): Promise<void> {
  const existing = await client.get<Schemas['EndpointOut']>(path`app/${app}/endpoint/${uid}`).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  });
  let endpoint: Schemas['EndpointOut'];
  try {
    endpoint = existing
      ? await client.patch<Schemas['EndpointOut']>(path`app/${app}/endpoint/${existing.id}`, { url })
      : await client.post<Schemas['EndpointOut']>(path`app/${app}/endpoint`, { url, uid });
  } catch (error) {
    throw await withAllowHint(error, url);
  }
  const { key } = await client.get<Schemas['EndpointSecretOut']>(path`app/${app}/endpoint/${endpoint.id}/secret`);
  io.err(`endpoint ${endpoint.id} (${uid}) delivers here; its receiver verifies with ${key}`);
}

/** Ranges a dispatcher refuses by default that a machine of one's own is found in. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix, family] of [
  ['127.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, family);

/**
 * When the dispatcher refused `url` as an endpoint URL because its host is not public (a dispatcher
 * delivers to public addresses only unless HOMING_ALLOWED_CIDRS lets ranges through), the error with
 * the one setting that allows it; any other error as it is. The host is resolved here: on the same
 * machine as the dispatcher (the usual case for a local inbox) it has the same addresses, each of which
 * must be allowed.
 */
export async function withAllowHint(error: unknown, url: string): Promise<unknown> {
  if (!(error instanceof ApiError) || !error.details.some((item) => item.loc?.at(-1) === 'url' && item.type === 'value_error.url.forbidden')) return error;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((resolved) => resolved.address);
  const cidrs = [...new Set(addresses.filter((address) => NOT_PUBLIC.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')).map(cidrOf))];
  if (cidrs.length === 0) return error;
  const setting = `HOMING_ALLOWED_CIDRS=${cidrs.join(',')}`;
  return new CliError(
    `${error.message}\n` +
      `the dispatcher delivers only to public addresses unless told otherwise; to let it reach ${host}, restart it with ${setting}\n` +
      `  e.g. ${setting} npm start   (docker compose passes HOMING_ALLOWED_CIDRS through; keep any ranges you already allow, comma-separated)`,
  );
}

/** Loopback as its whole range (127.0.0.1 and its neighbours are all this machine); any other address alone. */
function cidrOf(address: string): string {
  if (address.startsWith('127.')) return '127.0.0.0/8';
  return `${address}/${isIP(address) === 6 ? 128 : 32}`;
}

function localTarget(localUrl: string): URL {
  let url: URL;
  try {
    url = new URL(localUrl);
  } catch {
    throw new CliError(`not a URL: ${localUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`expected an http or https URL, got ${localUrl}`);
  return url;
}

/** Reads server-sent events until the stream ends, calling `onRequest` for each `request` event. */
async function stream(client: DispatcherClient, inboxId: string, io: CliIo, onRequest: (request: RelayedRequest) => void): Promise<void> {
  const body = await client.request<Readable>({
    method: 'GET',
    url: path`relay/${inboxId}/stream`,
    responseType: 'stream',
    headers: { accept: 'text/event-stream' },
    signal: io.signal,
  });
  io.err('connected; waiting for requests');
  let buffer = '';
  for await (const chunk of body) {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      if (event.type === 'request') onRequest(JSON.parse(event.data) as RelayedRequest);
    }
  }
}

function parseEvent(block: string): { type: string; data: string } {
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  return { type, data: data.join('\n') };
}

async function relay(client: DispatcherClient, inboxId: string, target: URL, request: RelayedRequest, json: boolean, io: CliIo): Promise<void> {
  const at = new Date();
  const body = Buffer.from(request.body, 'base64');
  const reply = await forward(target, request, body);
  const type = eventType(body);
  if (json) io.out(JSON.stringify({ time: at.toISOString(), id: request.id, type, method: request.method, path: request.path, status: reply.status, durationMs: reply.durationMs, error: reply.error }));
  else io.out(`${clock(at)}  ${type.padEnd(24)}  ${reply.error ? `${reply.status} (${reply.error})` : reply.status}  ${reply.durationMs} ms`);
  try {
    await client.post(path`relay/${inboxId}/requests/${request.id}/response`, reply);
  } catch (error) {
    io.err(`could not report the answer to ${request.id}: ${(error as Error).message}`);
  }
}

/** The request, as it came, to the local server; a 502 with the reason when it cannot be reached. */
function forward(target: URL, request: RelayedRequest, body: Buffer): Promise<RelayReply> {
  const url = new URL(target.href);
  if (request.path !== '/') {
    const relayed = new URL(request.path, 'http://relay');
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${relayed.pathname}`;
    url.search = relayed.search;
  }
  const headers: Record<string, string | string[]> = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !NOT_FORWARDED.has(name)));
  if (body.length > 0 || !['GET', 'HEAD'].includes(request.method)) headers['content-length'] = String(body.length);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(url, { method: request.method, headers, timeout: LOCAL_TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_KEPT) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 502,
          headers: contentType(response.headers),
          body: Buffer.concat(chunks).subarray(0, RESPONSE_KEPT).toString('base64'),
          durationMs: elapsed(),
        }),
      );
      response.on('error', (error) => resolve({ status: 502, durationMs: elapsed(), error: error.message }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${LOCAL_TIMEOUT_MS} ms`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 502, durationMs: elapsed(), error: error.code ?? error.message }));
    outgoing.end(body);
  });
}

function contentType(headers: IncomingHttpHeaders): Record<string, string> {
  return headers['content-type'] ? { 'content-type': headers['content-type'] } : {};
}

/** The payload's `type`, as Standard Webhooks and Rye payloads carry it. */
function eventType(body: Buffer): string {
  try {
    const type = (JSON.parse(body.toString('utf8')) as { type?: unknown }).type;
    return typeof type === 'string' ? type : '-';
  } catch {
    return '-';
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
