import { signingScheme, type SigningSchemeName } from '../signing/schemes/registry.js';
import {
  DEFAULT_BACKLOG_CPU_CEILING,
  DEFAULT_DISABLE_AFTER,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_PAYLOAD_RETENTION,
  DEFAULT_PURGE_INTERVAL,
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_RETENTION,
  DEFAULT_RETRY_SCHEDULE,
} from '../webhooks.constants.js';
import { parseByteSize } from './byte-size.js';
import { parseDuration, parseDurationList } from './duration.js';
import { parseCidr, parseEncryptionKey, parseProxyUrl } from './parse-security.js';
import type { OrderedFailure, ResolvedWebhooksOptions, WebhooksModuleOptions } from './webhooks-options.interface.js';

export function resolveOptions(options: WebhooksModuleOptions): ResolvedWebhooksOptions {
  const concurrency = options.concurrency ?? 50;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`concurrency: expected a positive integer, got ${options.concurrency}`);
  }
  const background = options.background ?? true;
  if (background !== true && background !== false && background !== 'only') {
    throw new Error(`background: expected true, false or 'only', got ${JSON.stringify(options.background)}`);
  }
  const worker = options.worker ?? true;
  return {
    database: options.database,
    redis: options.redis ?? 'redis://127.0.0.1:6379',
    queuePrefix: options.queuePrefix ?? 'homing',
    worker,
    // Background work is a worker's: a process with none does none, whatever it asked.
    background: worker && background,
    concurrency,
    backlogCpuCeiling: parseCpuCeiling(options.backlogCpuCeiling ?? DEFAULT_BACKLOG_CPU_CEILING),
    retrySchedule: parseDurationList(options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE, 'retrySchedule'),
    requestTimeoutMs: parseDuration(options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT, 'requestTimeout'),
    disableAfterMs: parseDuration(options.disableAfter ?? DEFAULT_DISABLE_AFTER, 'disableAfter'),
    operationalApp: options.operationalApp,
    sweepIntervalMs: parseDuration(options.sweepInterval ?? '5s', 'sweepInterval'),
    allowedCidrs: named('allowedCidrs', () => (options.allowedCidrs ?? []).map((cidr) => (parseCidr(cidr), cidr.trim()))),
    httpsOnly: options.httpsOnly ?? false,
    encryptionKey: options.encryptionKey === undefined ? undefined : named('encryptionKey', () => parseEncryptionKey(options.encryptionKey!)),
    defaultSignature: named('defaultSignature', () => signingScheme(options.defaultSignature ?? 'hmac-sha256').name as SigningSchemeName),
    maxPayloadBytes: parseByteSize(options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD, 'maxPayloadBytes'),
    proxyUrl: options.proxyUrl === undefined ? undefined : named('proxyUrl', () => parseProxyUrl(options.proxyUrl!)),
    payloadRetentionMs: parseDuration(options.payloadRetention ?? DEFAULT_PAYLOAD_RETENTION, 'payloadRetention'),
    purgeIntervalMs: parseDuration(options.purgeInterval ?? DEFAULT_PURGE_INTERVAL, 'purgeInterval'),
    retentionMs: parseRetention(options.retention ?? DEFAULT_RETENTION, 'retention'),
    orderedFailure: parseOrderedFailure(options.orderedFailure ?? 'hold'),
  };
}

const MIN_RETENTION_MS = parseDuration('1d');

/**
 * The row retention: `off` (null, rows kept forever) or a duration of at least a day, so a bare
 * number (read as milliseconds) or a unit typo cannot delete every finished message at once.
 */
export function parseRetention(value: string | number, what = 'retention'): number | null {
  if (typeof value === 'string' && value.trim() === 'off') return null;
  const ms = parseDuration(value, what);
  if (ms < MIN_RETENTION_MS) throw new Error(`${what}: expected off or a duration of at least 1d, got ${JSON.stringify(value)}`);
  return ms;
}

/** A share of the machine's CPU time: a number above 0 and at most 1. */
export function parseCpuCeiling(value: unknown, what = 'backlogCpuCeiling'): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) throw new Error(`${what}: expected a number above 0 and at most 1, got ${JSON.stringify(value)}`);
  return value;
}

/** Runs a parser whose errors do not say which option they are about. */
function named<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new Error(`${option}: ${(error as Error).message}`);
  }
}

/** What an ordered endpoint's line does when its head fails for good: `hold` or `skip`. */
export function parseOrderedFailure(value: string, what = 'orderedFailure'): OrderedFailure {
  if (value !== 'hold' && value !== 'skip') throw new Error(`${what}: expected hold or skip, got ${JSON.stringify(value)}`);
  return value;
}
