import {
  DEFAULT_DISABLE_AFTER,
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_RETRY_SCHEDULE,
} from '../webhooks.constants.js';
import { parseDuration, parseDurationList } from './duration.js';
import type { ResolvedWebhooksOptions, WebhooksModuleOptions } from './webhooks-options.interface.js';

export function resolveOptions(options: WebhooksModuleOptions): ResolvedWebhooksOptions {
  const concurrency = options.concurrency ?? 50;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`concurrency: expected a positive integer, got ${options.concurrency}`);
  }
  return {
    database: options.database,
    redis: options.redis ?? 'redis://127.0.0.1:6379',
    queuePrefix: options.queuePrefix ?? 'homing',
    worker: options.worker ?? true,
    concurrency,
    retrySchedule: parseDurationList(options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE, 'retrySchedule'),
    requestTimeoutMs: parseDuration(options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT, 'requestTimeout'),
    disableAfterMs: parseDuration(options.disableAfter ?? DEFAULT_DISABLE_AFTER, 'disableAfter'),
    operationalApp: options.operationalApp,
    sweepIntervalMs: parseDuration(options.sweepInterval ?? '5s', 'sweepInterval'),
  };
}
