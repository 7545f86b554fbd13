import { setTimeout as sleep } from 'node:timers/promises';
import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { DELIVERY_QUEUE } from '../webhooks.constants.js';
import { InjectWebhooksOptions } from '../webhooks.decorators.js';

/** A reserved send time: `slotAt` on Redis' clock, `waitMs` from now. */
export interface ThrottleSlot {
  slotAt: number;
  waitMs: number;
}

/**
 * Spaces deliveries to one endpoint at least 1/rate seconds apart, on Redis' clock, so every worker
 * of every replica shares the schedule. Each call reserves the next free slot (the slot a key holds is
 * the earliest one not yet taken), so waiting deliveries are ordered and none is turned away.
 * While some delivery waits for its slot, a second key holds when the waiting began (KEYS[2]); it
 * lapses when the last waiting slot comes.
 */
const RESERVE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local interval = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local following = slot + interval
redis.call('SET', KEYS[1], tostring(following), 'PX', math.ceil(following - now) + 1000)
if slot > now then
  redis.call('SET', KEYS[2], redis.call('GET', KEYS[2]) or tostring(now), 'PX', math.ceil(slot - now))
end
return { math.floor(slot), math.floor(slot - now) }
`;

/**
 * On Redis' clock: how long until the endpoint may be sent to again (0: now, and this send is noted). A
 * worker late for one slot and on time for the next would otherwise send the two together.
 */
const TAKE_TURN = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local interval = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local wait = last + interval - now
if wait > 0 then return math.ceil(wait) end
redis.call('SET', KEYS[1], tostring(now), 'PX', math.ceil(interval) + 1000)
return 0
`;

@Injectable()
export class DeliveryThrottle {
  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue,
    @InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions,
  ) {}

  /** Takes the endpoint's next slot at `perSecond` deliveries a second. */
  async reserve(endpointId: string, perSecond: number): Promise<ThrottleSlot> {
    const [slotAt, waitMs] = (await this.queue.client.eval(RESERVE_SLOT, 2, this.key(endpointId), this.key(endpointId, 'since'), String(1000 / perSecond))) as [number, number];
    return { slotAt, waitMs };
  }

  /** Waits, if need be, until a send to the endpoint keeps `perSecond` with the one before it, and notes this one. */
  async takeTurn(endpointId: string, perSecond: number): Promise<void> {
    for (;;) {
      const waitMs = (await this.queue.client.eval(TAKE_TURN, 1, this.key(endpointId, 'sent'), String(1000 / perSecond))) as number;
      if (waitMs <= 0) return;
      await sleep(waitMs);
    }
  }

  /** Since when deliveries to the endpoint have been waiting for their slots; null when none waits. */
  async throttledSince(endpointId: string): Promise<Date | null> {
    const since = await this.queue.client.get(this.key(endpointId, 'since'));
    return since === null ? null : new Date(Number(since));
  }

  private key(endpointId: string, suffix?: string): string {
    return `${this.options.queuePrefix}:throttle:${endpointId}${suffix ? `:${suffix}` : ''}`;
  }
}
