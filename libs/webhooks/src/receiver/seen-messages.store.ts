import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { ResolvedReceiverOptions } from './webhook-receiver-options.interface.js';

/**
 * Message ids already taken, per receiving route. A claim is held while handlers run and released if
 * they fail, so the sender's retry runs them again; a claim that stays makes later copies duplicates.
 */
export interface SeenMessages {
  /** True if this is the first claim of `id` on `route` within the window. */
  claim(route: string, id: string): Promise<boolean>;
  release(route: string, id: string): Promise<void>;
}

/** One process's memory: enough for a single instance. */
export class MemorySeenMessages implements SeenMessages {
  /** Key to expiry (epoch ms), in insertion order, which with one window is expiry order. */
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async claim(route: string, id: string): Promise<boolean> {
    const now = this.clock();
    for (const [key, expiry] of this.expiries) {
      if (expiry > now) break;
      this.expiries.delete(key);
    }
    const key = `${route}\n${id}`;
    if (this.expiries.has(key)) return false;
    this.expiries.set(key, now + this.windowMs);
    return true;
  }

  async release(route: string, id: string): Promise<void> {
    this.expiries.delete(`${route}\n${id}`);
  }
}

/** Shared by every instance on the same Redis and prefix. */
export class RedisSeenMessages implements SeenMessages, OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(
    connection: NonNullable<ResolvedReceiverOptions['redis']>,
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {
    this.redis = typeof connection === 'string' ? new Redis(connection, { lazyConnect: true }) : new Redis({ ...connection, lazyConnect: true });
  }

  async claim(route: string, id: string): Promise<boolean> {
    return (await this.redis.set(this.key(route, id), '1', 'PX', this.windowMs, 'NX')) === 'OK';
  }

  async release(route: string, id: string): Promise<void> {
    await this.redis.del(this.key(route, id));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private key(route: string, id: string): string {
    return `${this.prefix}:webhook-seen:${route}:${id}`;
  }
}

export function seenMessagesFor(options: ResolvedReceiverOptions): SeenMessages | null {
  if (options.duplicateWindowMs === 0) return null;
  return options.redis
    ? new RedisSeenMessages(options.redis, options.queuePrefix, options.duplicateWindowMs)
    : new MemorySeenMessages(options.duplicateWindowMs);
}
