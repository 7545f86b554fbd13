import type { QueueOptions } from 'bull';
import type { SigningSchemeName } from '../signing/schemes/registry.js';

/** Connection settings for the DataSource the module creates when the host lends none. */
export interface WebhooksDatabaseOptions {
  /** `mysql://user:pass@host:port/database` */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  database?: string;
  /** Apply the module's migrations on start (default true). */
  migrationsRun?: boolean;
  /** Passed through to the mysql2 pool. */
  poolSize?: number;
}

export interface WebhooksModuleOptions {
  /** Own DataSource settings; leave out when the host lends its DataSource (see the `dataSource` extra). */
  database?: WebhooksDatabaseOptions;
  /** Redis for the delivery queue: a URL or Bull's redis options. Default `redis://127.0.0.1:6379`. */
  redis?: string | QueueOptions['redis'];
  /** Redis key prefix of the queue, so several deployments (or test runs) can share one Redis. Default `homing`. */
  queuePrefix?: string;
  /** Run the delivery worker in this process (default true). False: produce only; a dispatcher delivers. */
  worker?: boolean;
  /**
   * Whether this process's worker does the background work: the backlog (overdue deliveries the sweeper
   * catches up on after an outage, an endpoint's return, a Redis flush), folding the statistics counts
   * and deleting expired payloads and rows. Default true: that and new deliveries and retries. False:
   * new deliveries and retries only, which keeps a process that serves fresh traffic off a long drain
   * (at least one worker must do the background work, or overdue rows and statistics wait). `only`: the
   * background work only, for a process run at a lower priority (new deliveries there would wait on it).
   */
  background?: boolean | 'only';
  /** Deliveries in flight at once in this process. Default 50. */
  concurrency?: number;
  /**
   * The share of the machine's CPU time (all cores, as `os.cpus()` reports it) past which the backlog's
   * deliveries slow down, so that a long drain leaves fresh deliveries a core: from `concurrency` at once
   * down to a tenth of it while the cores are busier than this. Default 0.9; 1: the backlog always runs at
   * `concurrency`. In a container the machine is the host: set 1 there, or keep the container's cores to itself.
   */
  backlogCpuCeiling?: number;
  /** Delays between attempts after the first, e.g. `5s,5m,30m`. Default `5s,5m,30m,2h,5h,10h,10h`. */
  retrySchedule?: string | readonly (string | number)[];
  /** Per-attempt timeout. Default `15s`. */
  requestTimeout?: string | number;
  /** Disable an endpoint that has failed without a success for this long. Default `5d`. */
  disableAfter?: string | number;
  /** Id or uid of the application whose endpoints receive operational events such as `endpoint.disabled`. */
  operationalApp?: string;
  /** How often the sweeper looks for deliveries that are due but not queued (e.g. after Redis lost them). Default `5s`. */
  sweepInterval?: string | number;
  /**
   * Addresses deliveries may reach although they are loopback, private, link-local or otherwise not
   * public (all refused by default), e.g. `['10.1.0.0/16']`; a bare address allows just that one.
   */
  allowedCidrs?: readonly string[];
  /** Refuse `http:` endpoint URLs, when saved and when delivering. Default false. */
  httpsOnly?: boolean;
  /** 32 bytes as base64 or hex: encrypts endpoint secrets at rest with AES-256-GCM. Without it they are stored as plaintext. */
  encryptionKey?: string;
  /**
   * The scheme of the secrets Homing generates: `hmac-sha256` (`whsec_`, Standard Webhooks `v1`, the
   * default) or `ed25519` (`whsk_`, signatures `v1a`; the customer is shown the `whpk_` public key).
   */
  defaultSignature?: SigningSchemeName;
  /** Largest message payload accepted, in bytes or as `512kb`, `1mb`. Default 1 MiB. */
  maxPayloadBytes?: number | string;
  /** Send every delivery through this HTTP(S) proxy (e.g. for a fixed egress IP), `http://host:port`. */
  proxyUrl?: string;
  /** How long message payloads are kept unless a message sets `payloadRetentionPeriod` (days). Default `90d`. */
  payloadRetention?: string | number;
  /** How often a worker purges expired payloads and deletes expired rows. Default `1h`. */
  purgeInterval?: string | number;
  /**
   * How long a message row, its deliveries and attempts are kept (at least `1d`); default `90d`.
   * `'off'` turns row deletion off: rows are then kept forever (payloads are still purged).
   * A message still owed to an endpoint, or whose payload is not purged yet (a longer
   * `payloadRetentionPeriod`), keeps its rows until that ends.
   */
  retention?: string | number;
  /**
   * What an ordered (`fifo`) endpoint's line does when its head fails for good (its retries run out):
   * `hold` (default) keeps the later deliveries waiting until that one is sent again by hand (resend or
   * recover); `skip` lets the line move on.
   */
  orderedFailure?: OrderedFailure;
}

export type OrderedFailure = 'hold' | 'skip';

/** Options after defaults and parsing: what the services read. */
export interface ResolvedWebhooksOptions {
  database?: WebhooksDatabaseOptions;
  redis: string | QueueOptions['redis'];
  queuePrefix: string;
  worker: boolean;
  /** False in a process with no worker. */
  background: boolean | 'only';
  concurrency: number;
  backlogCpuCeiling: number;
  retrySchedule: number[];
  requestTimeoutMs: number;
  disableAfterMs: number;
  operationalApp?: string;
  sweepIntervalMs: number;
  allowedCidrs: string[];
  httpsOnly: boolean;
  encryptionKey?: Buffer;
  defaultSignature: SigningSchemeName;
  maxPayloadBytes: number;
  proxyUrl?: string;
  payloadRetentionMs: number;
  purgeIntervalMs: number;
  /** Null: rows are never deleted. */
  retentionMs: number | null;
  orderedFailure: OrderedFailure;
}
