import os from 'node:os';
import { type OrderedFailure, type SigningSchemeName } from '@homing/webhooks';
import { DEFAULT_BACKLOG_CPU_CEILING, DEFAULT_DISABLE_AFTER, DEFAULT_MAX_PAYLOAD, DEFAULT_PAYLOAD_RETENTION, DEFAULT_PURGE_INTERVAL, DEFAULT_RETENTION, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRY_SCHEDULE, parseByteSize, parseCidr, parseCpuCeiling, parseDuration, parseDurationList, parseEncryptionKey, parseOrderedFailure, parseProxyUrl, parseRetention, signingScheme } from '@homing/webhooks/internal';
import { LOG_LEVELS, type DispatcherLogLevel } from '../dispatcher.logger.js';

/** The dispatcher's settings, read once from the environment at start. */
export interface DispatcherConfig {
  port: number;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  retrySchedule: string;
  requestTimeout: string;
  disableAfter: string;
  sweepInterval: string;
  concurrency: number;
  backlogCpuCeiling: number;
  /** Dispatcher processes (a Node cluster sharing the port); 1: this process alone. */
  processes: number;
  worker: boolean;
  operationalApp?: string;
  allowedCidrs: string[];
  httpsOnly: boolean;
  /** Never shown in messages or logs. */
  encryptionKey?: string;
  /** The scheme of generated endpoint secrets. */
  defaultSignature: SigningSchemeName;
  maxPayload: string;
  payloadRetention: string;
  purgeInterval: string;
  /** How long message rows are kept, or `off`. */
  retention: string;
  /** What an ordered endpoint's line does when its head fails for good: `hold` or `skip`. */
  orderedFailure: OrderedFailure;
  /** May hold credentials: never shown in messages or logs. */
  proxyUrl?: string;
  /** The operator's API token; when unset, `main` makes one up for the run (and refuses to in production). Never shown. */
  apiToken?: string;
  /** Where consumer-portal links point. */
  portalUrl?: string;
  /** Origins whose pages may call the API from the browser (CORS); none: no CORS headers at all. */
  corsOrigins: string[];
  /** Origins whose pages may show the portal in a frame; none: no page may. */
  portalFrameAncestors: string[];
  logLevel: DispatcherLogLevel;
}

/** The settings a dispatcher process starts with: the operator token is known by then (configured, or made up by `main`). */
export type StartingConfig = DispatcherConfig & { apiToken: string };

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** Reads and checks every variable; a bad one throws a `ConfigError` that names it. */
export function readDispatcherConfig(env: Env = process.env): DispatcherConfig {
  const text = (name: string, fallback: string) => {
    const value = env[name]?.trim();
    return value ? value : fallback;
  };
  const check = <T>(name: string, value: string, parse: (v: string) => T): string => {
    try {
      parse(value);
    } catch (error) {
      throw new ConfigError(`${name}=${JSON.stringify(value)} is invalid: ${(error as Error).message.replace(/^[^:]*: /, '')}`);
    }
    return value;
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = text(name, String(fallback));
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected a whole number from ${min} to ${max}`);
    }
    return value;
  };
  const url = (name: string, fallback: string, protocols: string[]) => {
    const raw = text(name, fallback);
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: not a URL`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected ${protocols.join(' or ')}//…`);
    }
    return raw;
  };
  /** A value that may be a credential: checked, but left out of the error message. */
  const confidential = (name: string, parse: (v: string) => unknown) => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    try {
      parse(raw);
    } catch (error) {
      throw new ConfigError(`${name} is invalid (value not shown): ${(error as Error).message}`);
    }
    return raw;
  };
  const cidrs = (name: string) =>
    check(name, text(name, ''), (value) => value.split(',').filter((cidr) => cidr.trim()).forEach((cidr) => parseCidr(cidr)))
      .split(',')
      .map((cidr) => cidr.trim())
      .filter(Boolean);
  // Browsers compare origins as text, so each has to be one exactly (no path, no trailing slash, lower case).
  const origins = (name: string) => {
    const raw = text(name, '');
    const list = raw.split(',').map((origin) => origin.trim()).filter(Boolean);
    const bad = list.find((origin) => webOrigin(origin) !== origin);
    if (bad !== undefined) {
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: ${JSON.stringify(bad)} is not an origin; expected http(s)://host[:port] without a path or trailing slash, e.g. https://dashboard.example.com`);
    }
    return list;
  };
  const flag = (name: string, fallback: boolean) => {
    const raw = text(name, String(fallback)).toLowerCase();
    if (!['true', 'false', '1', '0'].includes(raw)) throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected true or false`);
    return raw === 'true' || raw === '1';
  };

  return {
    port: integer('PORT', 3000, 0, 65535),
    databaseUrl: url('DATABASE_URL', 'mysql://root@127.0.0.1:3306/homing', ['mysql:', 'mariadb:']),
    redisUrl: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    queuePrefix: text('HOMING_QUEUE_PREFIX', 'homing'),
    retrySchedule: check('HOMING_RETRY_SCHEDULE', text('HOMING_RETRY_SCHEDULE', DEFAULT_RETRY_SCHEDULE), parseDurationList),
    requestTimeout: check('HOMING_REQUEST_TIMEOUT', text('HOMING_REQUEST_TIMEOUT', DEFAULT_REQUEST_TIMEOUT), parseDuration),
    disableAfter: check('HOMING_DISABLE_AFTER', text('HOMING_DISABLE_AFTER', DEFAULT_DISABLE_AFTER), parseDuration),
    sweepInterval: check('HOMING_SWEEP_INTERVAL', text('HOMING_SWEEP_INTERVAL', '5s'), parseDuration),
    concurrency: integer('HOMING_CONCURRENCY', 50, 1, 10_000),
    backlogCpuCeiling: Number(check('HOMING_BACKLOG_CPU_CEILING', text('HOMING_BACKLOG_CPU_CEILING', String(DEFAULT_BACKLOG_CPU_CEILING)), (share) => parseCpuCeiling(/^\d*\.?\d+$/.test(share) ? Number(share) : share))),
    processes: integer('HOMING_PROCESSES', os.availableParallelism(), 1, 256),
    worker: flag('HOMING_WORKER', true),
    operationalApp: env.HOMING_OPERATIONAL_APP?.trim() || undefined,
    allowedCidrs: cidrs('HOMING_ALLOWED_CIDRS'),
    httpsOnly: flag('HOMING_HTTPS_ONLY', false),
    encryptionKey: confidential('HOMING_ENCRYPTION_KEY', parseEncryptionKey),
    defaultSignature: check('HOMING_DEFAULT_SIGNATURE', text('HOMING_DEFAULT_SIGNATURE', 'hmac-sha256'), signingScheme) as SigningSchemeName,
    maxPayload: check('HOMING_MAX_PAYLOAD', text('HOMING_MAX_PAYLOAD', DEFAULT_MAX_PAYLOAD), parseByteSize),
    payloadRetention: check('HOMING_PAYLOAD_RETENTION', text('HOMING_PAYLOAD_RETENTION', DEFAULT_PAYLOAD_RETENTION), parseDuration),
    purgeInterval: check('HOMING_PURGE_INTERVAL', text('HOMING_PURGE_INTERVAL', DEFAULT_PURGE_INTERVAL), parseDuration),
    retention: check('HOMING_RETENTION', text('HOMING_RETENTION', DEFAULT_RETENTION), parseRetention),
    orderedFailure: check('HOMING_ORDERED_FAILURE', text('HOMING_ORDERED_FAILURE', 'hold'), parseOrderedFailure) as OrderedFailure,
    proxyUrl: confidential('HOMING_PROXY_URL', parseProxyUrl),
    apiToken: confidential('HOMING_API_TOKEN', parseApiToken),
    portalUrl: env.HOMING_PORTAL_URL?.trim() ? url('HOMING_PORTAL_URL', '', ['http:', 'https:']) : undefined,
    corsOrigins: origins('HOMING_CORS_ORIGINS'),
    portalFrameAncestors: origins('HOMING_PORTAL_FRAME_ANCESTORS'),
    logLevel: check('HOMING_LOG_LEVEL', text('HOMING_LOG_LEVEL', 'log'), parseLogLevel) as DispatcherLogLevel,
  };
}

/**
 * The origin of an http(s) URL, or undefined. Its host is letters, digits, dots and dashes (or an IPv6
 * address), as browsers send it: WHATWG URLs allow `;` or `'` in a host, which would end a CSP source.
 */
export function webOrigin(value: string): string | undefined {
  let origin: string;
  try {
    origin = new URL(value).origin;
  } catch {
    return undefined;
  }
  return /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d+)?$/.test(origin) ? origin : undefined;
}

function parseLogLevel(level: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** An operator token has to be hard to guess and fit in a header. */
function parseApiToken(token: string): string {
  if (!/^[\x21-\x7e]{16,}$/.test(token)) throw new Error('expected at least 16 printable characters without spaces');
  return token;
}
