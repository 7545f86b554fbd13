/**
 * The receiving end of the benchmark, run as its own process (forked by run.ts, IPC for control).
 * `POST /ok/<n>` answers 200 at once; `POST /slow/<n>` answers 200 after SLOW_MS; `POST /hang/<n>` never
 * answers, so the sender's request times out.
 * Every request is counted and timestamped by its `webhook-id`; one in `VERIFY_EVERY` has its
 * signature checked with the standardwebhooks package, as an independent verifier.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { SLOW_MS, wallClock, type SinkReply, type SinkRequest } from './protocol.js';

const VERIFY_EVERY = 50;

const secret = process.env.BENCH_SECRET!;
const verifier = new Webhook(secret);
const sockets = new Set<Socket>();
const hanging = new Set<http.ServerResponse>();

let received = 0;
let verified = 0;
let badSignatures = 0;
let firstAt = 0;
let lastAt = 0;
/** webhook-id → first arrival, kept only while a caller asked for arrivals. */
let arrivals: Map<string, number> | undefined;
/** Requests whose webhook-id had arrived before, counted while arrivals are kept. */
let duplicates = 0;
let waiting: { count: number; resolve: () => void } | undefined;

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.url?.startsWith('/hang/')) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const at = wallClock();
    received += 1;
    if (firstAt === 0) firstAt = at;
    lastAt = at;
    const id = req.headers['webhook-id'] as string;
    if (arrivals?.has(id)) duplicates += 1;
    else arrivals?.set(id, at);
    if (received % VERIFY_EVERY === 0) {
      try {
        verifier.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
        verified += 1;
      } catch {
        badSignatures += 1;
      }
    }
    const answer = () => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
    if (req.url?.startsWith('/slow/')) setTimeout(answer, SLOW_MS);
    else answer();
    if (waiting && received >= waiting.count) {
      waiting.resolve();
      waiting = undefined;
    }
  });
});
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

function reply(message: SinkReply): void {
  process.send!(message);
}

process.on('message', (request: SinkRequest) => {
  switch (request.cmd) {
    case 'reset':
      received = verified = badSignatures = firstAt = lastAt = duplicates = 0;
      arrivals = request.trackArrivals ? new Map() : undefined;
      // Requests held by hanging endpoints of an earlier run are let go.
      for (const res of hanging) res.destroy();
      reply({ cmd: 'reset' });
      return;
    case 'wait': {
      const done = () => {
        clearTimeout(timer);
        reply({ cmd: 'wait', received, verified, badSignatures, firstAt, lastAt, duplicates, arrivals: arrivals ? [...arrivals] : undefined });
      };
      const timer = setTimeout(() => {
        waiting = undefined;
        done();
      }, request.timeoutMs);
      if (received >= request.count) done();
      else waiting = { count: request.count, resolve: done };
      return;
    }
  }
});

server.listen(0, '127.0.0.1', () => {
  reply({ cmd: 'listening', port: (server.address() as { port: number }).port });
});
process.on('disconnect', () => {
  for (const socket of sockets) socket.destroy();
  server.close();
  process.exit(0);
});
