import { randomBytes } from 'node:crypto';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, NotFoundException, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Observable, type Subscriber } from 'rxjs';
import { INBOX_ID_PREFIX, RELAY_HISTORY, RELAY_INBOX_TTL_S, RELAY_OPTIONS, RELAY_REPLY_TIMEOUT_MS, type RelayOptions } from './relay.constants.js';
import type { RelayedRequest, RelayReply } from './relay.types.js';

export interface InboxRecord {
  request: RelayedRequest;
  reply: RelayReply | null;
}

/**
 * Relay inboxes for `homing listen`. An inbox is a public URL; each request to it is kept (the last
 * 50) and published on Redis, so a listener connected to any dispatcher replica gets it, forwards it
 * to the developer's machine, and reports the answer back through any replica.
 */
@Injectable()
export class RelayService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('HomingRelay');
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  /** Local listeners by inbox id. */
  private readonly listeners = new Map<string, Set<Subscriber<RelayedRequest>>>();
  /** Requests received here, waiting for a listener's reply. */
  private readonly waiting = new Map<string, (reply: RelayReply) => void>();

  constructor(@Inject(RELAY_OPTIONS) private readonly options: RelayOptions) {
    this.redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
    this.subscriber = new Redis(options.redisUrl);
    // Both reconnect on their own; a command that fails meanwhile reports itself. This only keeps
    // ioredis from printing every failed reconnect as an unhandled error.
    for (const client of [this.redis, this.subscriber]) client.on('error', (error: Error) => this.logger.debug(`Redis: ${error.message}`));
    void this.subscriber.psubscribe(this.replyChannel('*')).catch((error: Error) => this.logger.error(`cannot hear relay replies: ${error.message}`));
    this.subscriber.on('pmessage', (_pattern, channel: string, text: string) => this.waiting.get(channel.slice(this.replyChannel('').length))?.(JSON.parse(text)));
    this.subscriber.on('message', (channel: string, text: string) => {
      const request = JSON.parse(text) as RelayedRequest;
      for (const listener of this.listeners.get(channel.slice(this.inboxChannel('').length)) ?? []) listener.next(request);
    });
  }

  async create(): Promise<string> {
    const id = INBOX_ID_PREFIX + randomBytes(18).toString('base64url');
    await this.redis.set(this.key(id), new Date().toISOString(), 'EX', RELAY_INBOX_TTL_S);
    return id;
  }

  async assertExists(id: string): Promise<void> {
    if (!(await this.redis.expire(this.key(id), RELAY_INBOX_TTL_S))) throw new NotFoundException(`relay inbox "${id}" not found (create one with POST /api/v1/relay)`);
  }

  /** The requests the inbox receives from now on, while subscribed. */
  listen(id: string): Observable<RelayedRequest> {
    return new Observable<RelayedRequest>((listener) => {
      let local = this.listeners.get(id);
      if (!local) {
        local = new Set();
        this.listeners.set(id, local);
        void this.subscriber.subscribe(this.inboxChannel(id)).catch((error: Error) => listener.error(error));
      }
      local.add(listener);
      return () => {
        local.delete(listener);
        if (local.size > 0 || this.listeners.get(id) !== local) return;
        this.listeners.delete(id);
        void this.subscriber.unsubscribe(this.inboxChannel(id)).catch(() => undefined);
      };
    });
  }

  /**
   * Keeps the request, hands it to the inbox's listeners and waits for the first reply. No listener
   * (or no reply in time): the answer says so, with a 503 or 504 the sender treats as a failure to retry.
   */
  async relay(inboxId: string, request: Omit<RelayedRequest, 'id' | 'receivedAt'>): Promise<RelayReply> {
    await this.assertExists(inboxId);
    const relayed: RelayedRequest = { id: `req_${randomBytes(12).toString('base64url')}`, receivedAt: new Date().toISOString(), ...request };
    const history = this.historyKey(inboxId);
    await this.redis.multi().lpush(history, JSON.stringify(relayed)).ltrim(history, 0, RELAY_HISTORY - 1).expire(history, RELAY_INBOX_TTL_S).exec();
    let timer: NodeJS.Timeout | undefined;
    const replied = new Promise<RelayReply>((resolve) => {
      this.waiting.set(relayed.id, resolve);
      timer = setTimeout(() => resolve(failure(504, `no answer from homing listen within ${RELAY_REPLY_TIMEOUT_MS} ms`)), RELAY_REPLY_TIMEOUT_MS);
    });
    try {
      const heard = await this.redis.publish(this.inboxChannel(inboxId), JSON.stringify(relayed));
      const reply = heard > 0 ? await replied : failure(503, 'no homing listen is connected to this inbox; the request is kept for inspection');
      await this.keepReply(inboxId, relayed.id, reply);
      return reply;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(relayed.id);
    }
  }

  /** A listener's report of what its local server answered. */
  async reply(inboxId: string, requestId: string, reply: RelayReply): Promise<void> {
    await this.assertExists(inboxId);
    await this.redis.publish(this.replyChannel(requestId), JSON.stringify(reply));
  }

  /** The last requests, newest first, each with the answer it got (null while none). */
  async history(inboxId: string): Promise<InboxRecord[]> {
    await this.assertExists(inboxId);
    const [requests, replies] = await Promise.all([this.redis.lrange(this.historyKey(inboxId), 0, -1), this.redis.hgetall(this.repliesKey(inboxId))]);
    return requests.map((text) => {
      const request = JSON.parse(text) as RelayedRequest;
      return { request, reply: replies[request.id] ? (JSON.parse(replies[request.id]) as RelayReply) : null };
    });
  }

  /** Ends the listeners' streams, so the HTTP server can close; `homing listen` reconnects elsewhere. */
  beforeApplicationShutdown(): void {
    for (const listeners of this.listeners.values()) for (const listener of listeners) listener.complete();
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async keepReply(inboxId: string, requestId: string, reply: RelayReply): Promise<void> {
    const replies = this.repliesKey(inboxId);
    const { body: _body, ...summary } = reply;
    await this.redis.multi().hset(replies, requestId, JSON.stringify(summary)).expire(replies, RELAY_INBOX_TTL_S).exec();
    // Replies of requests no longer in the history are dropped now and then, keeping the hash small.
    if ((await this.redis.hlen(replies)) > RELAY_HISTORY * 2) {
      const kept = new Set((await this.redis.lrange(this.historyKey(inboxId), 0, -1)).map((text) => (JSON.parse(text) as RelayedRequest).id));
      const stale = Object.keys(await this.redis.hgetall(replies)).filter((id) => !kept.has(id));
      if (stale.length > 0) await this.redis.hdel(replies, ...stale);
    }
  }

  private key(id: string) {
    return `${this.options.keyPrefix}:relay:${id}`;
  }
  private historyKey(id: string) {
    return `${this.key(id)}:requests`;
  }
  private repliesKey(id: string) {
    return `${this.key(id)}:replies`;
  }
  private inboxChannel(id: string) {
    return `${this.options.keyPrefix}:relay-inbox:${id}`;
  }
  private replyChannel(requestId: string) {
    return `${this.options.keyPrefix}:relay-reply:${requestId}`;
  }
}

function failure(status: number, error: string): RelayReply {
  return { status, durationMs: 0, error, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ code: 'relay_unavailable', detail: error })).toString('base64') };
}
