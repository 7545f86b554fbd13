import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../config/resolve-options.js';
import { DestinationPolicy } from '../security/destination-policy.js';
import { WebhookHttpClient } from './webhook-http.client.js';

const TIMEOUT_MS = 1_000;

/** Holds the event loop the way a GC pause or a starved CPU does: nothing else runs meanwhile. */
function stallFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Answers with a status and `first` at once, then one byte every 100 ms until the client goes away. */
function trickle(response: ServerResponse, status: number, first: string): void {
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.write(first);
  const drip = setInterval(() => response.write('.'), 100);
  response.on('close', () => clearInterval(drip));
}

describe('WebhookHttpClient: the status line decides, the body gets what is left of the timeout', () => {
  const options = resolveOptions({ database: { url: 'mysql://unused' }, requestTimeout: TIMEOUT_MS, allowedCidrs: ['127.0.0.0/8'] });
  const client = new WebhookHttpClient(options, new DestinationPolicy(options));
  let respond: (response: ServerResponse) => void = (response) => void response.end();
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => respond(response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    client.onApplicationShutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('records a 200 answered at once as success although the event loop then stalls past the timeout', async () => {
    let answered!: () => void;
    const sent = new Promise<void>((resolve) => (answered = resolve));
    respond = (response) => response.end('ok', answered);
    const started = performance.now();
    const outcome = client.deliver(url, '{}', {});
    await sent;
    // The answer is on the socket; the loop only sees it after the stall, when the deadline has passed.
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS);
    stallFor(TIMEOUT_MS + 500 - (performance.now() - started));
    expect(await outcome).toMatchObject({ statusCode: 200, body: 'ok' });
  });

  it('keeps a 200 whose body trickles past the timeout, with the bytes that came', async () => {
    respond = (response) => trickle(response, 200, 'accepted');
    const outcome = await client.deliver(url, '{}', {});
    expect(outcome.statusCode).toBe(200);
    expect(outcome.body).toMatch(/^accepted\.+$/);
    expect(outcome.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(outcome.durationMs).toBeLessThan(TIMEOUT_MS + 1_500);
  });

  it('keeps the status of a failure whose body trickles past the timeout', async () => {
    respond = (response) => trickle(response, 503, 'busy');
    expect(await client.deliver(url, '{}', {})).toMatchObject({ statusCode: 503, body: expect.stringMatching(/^busy\.+$/) });
  });

  it('keeps a 200 whose connection drops in the middle of the body', async () => {
    respond = (response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial', () => response.destroy());
    };
    expect(await client.deliver(url, '{}', {})).toMatchObject({ statusCode: 200, body: 'partial' });
  });

  it('still times out when no status line came within the timeout', async () => {
    respond = (response) => void setTimeout(() => response.end('late'), TIMEOUT_MS + 1_000).unref();
    const outcome = await client.deliver(url, '{}', {});
    expect(outcome).toMatchObject({ statusCode: 0, body: `timeout after ${TIMEOUT_MS} ms` });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(outcome.durationMs).toBeLessThan(TIMEOUT_MS + 1_000);
  });
});

describe('WebhookHttpClient on a kept-alive connection the receiver drops as it is reused', () => {
  const options = resolveOptions({ database: { url: 'mysql://unused' }, allowedCidrs: ['127.0.0.0/8'] });
  const client = new WebhookHttpClient(options, new DestinationPolicy(options));
  const connections: Socket[] = [];
  const requests: number[] = [];
  let server: NetServer;
  let url: string;

  beforeAll(async () => {
    // Each connection answers its first request and resets on the next, as a server whose idle timeout
    // fired at the moment the client reused the connection.
    server = createNetServer((socket) => {
      const index = connections.push(socket) - 1;
      let answered = false;
      socket.on('data', () => {
        requests.push(index);
        if (answered) return void socket.resetAndDestroy();
        answered = true;
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    client.onApplicationShutdown();
    for (const socket of connections) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the request again on a new connection instead of recording a failed attempt', async () => {
    expect(await client.deliver(url, '{}', {})).toMatchObject({ statusCode: 200, body: 'ok' });
    expect(await client.deliver(url, '{}', {})).toMatchObject({ statusCode: 200, body: 'ok' });
    // The second request reached the reused connection 0 first, then went on connection 1.
    expect(requests).toEqual([0, 0, 1]);
  });
});
