/** Injection tokens, queue names and wire constants: each fact lives here once. */

/** Normalised options (durations parsed, defaults applied). */
export const WEBHOOKS_OPTIONS = Symbol('HOMING_WEBHOOKS_OPTIONS');
/** The TypeORM DataSource the module persists to (its own, or the host's). */
export const WEBHOOKS_DATA_SOURCE = Symbol('HOMING_WEBHOOKS_DATA_SOURCE');

/** Name of the DataSource the module creates when the host does not lend one. */
export const HOMING_DATA_SOURCE_NAME = 'homing';
/** Bull shared-config key, so a host's own `BullModule.forRoot` is left alone. */
export const HOMING_BULL_CONFIG = 'homing';
export const DELIVERY_QUEUE = 'homing-delivery';
/** The sweeper's catch-up on overdue deliveries: a queue of its own, so a worker can leave a backlog to others (`background: false`). */
export const BACKLOG_QUEUE = 'homing-backlog';

export const ID_PREFIX = {
  application: 'app',
  endpoint: 'ep',
  message: 'msg',
  attempt: 'atmpt',
  portalToken: 'aptok',
  backgroundTask: 'qtask',
} as const;

/** Standard Webhooks headers, and the same values under Svix's names. */
export const SIGNATURE_HEADERS = {
  standard: { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' },
  svix: { id: 'svix-id', timestamp: 'svix-timestamp', signature: 'svix-signature' },
} as const;

export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';
export const DEFAULT_REQUEST_TIMEOUT = '15s';
export const DEFAULT_DISABLE_AFTER = '5d';
/** How much of a receiver's response body an attempt keeps. */
export const RESPONSE_BODY_LIMIT = 20 * 1024;
/** Largest message payload the producer accepts by default (a PayloadTooLargeError above it). */
export const DEFAULT_MAX_PAYLOAD = '1mb';
/** The longest wait a receiver's `Retry-After` can ask for before the next attempt. */
export const RETRY_AFTER_CAP_MS = 60 * 60 * 1000;

/** Operational events, as Nest events and as webhooks to the operational application (Svix's names and shapes). */
export const OPERATIONAL_EVENT = {
  endpointCreated: 'endpoint.created',
  endpointUpdated: 'endpoint.updated',
  endpointDeleted: 'endpoint.deleted',
  endpointDisabled: 'endpoint.disabled',
  /** A disabled endpoint enabled again (by an update). */
  endpointEnabled: 'endpoint.enabled',
  /** On the 4th failed attempt of a delivery in a run of the retry schedule. */
  messageAttemptFailing: 'message.attempt.failing',
  messageAttemptExhausted: 'message.attempt.exhausted',
  /** A success after `message.attempt.failing` was sent for the delivery. */
  messageAttemptRecovered: 'message.attempt.recovered',
  /** A dispatcher background task ended, `finished` or `failed`. */
  backgroundTaskFinished: 'background_task.finished',
} as const;
/**
 * The application that holds the operational webhook endpoints made through the API when no
 * `operationalApp` is configured; left out of application listings. A fixed id of the generated
 * ids' shape that the random part of one would have to match by chance (112 bits).
 */
export const OPERATIONAL_APP_ID = 'app_OperationalWebhooks00000000';
/** The failed attempt on which `message.attempt.failing` is sent, as Svix does. */
export const FAILING_AFTER_ATTEMPTS = 4;

/** Rye's body-HMAC signature and account headers, the defaults of the `body-hmac` scheme. */
export const BODY_HMAC_HEADERS = { signature: 'Rye-Hmac-Signature-V1', account: 'Rye-Verification' } as const;
/** How long message payloads are kept by default, and how often expired ones are purged. */
export const DEFAULT_PAYLOAD_RETENTION = '90d';
export const DEFAULT_PURGE_INTERVAL = '1h';
/** How long message rows (with their deliveries and attempts) are kept by default; `off` keeps them forever. */
export const DEFAULT_RETENTION = '90d';
/** The share of the machine's CPU time past which the backlog slows down, by default (see BacklogPace). */
export const DEFAULT_BACKLOG_CPU_CEILING = 0.9;

/** Nest events (EventEmitter2) for in-process observers such as metrics; not sent as webhooks. */
export const HOMING_EVENT = {
  messageCreated: 'homing.message.created',
  attemptMade: 'homing.attempt.made',
} as const;

/** After a rotation the previous secret keeps signing this long by default, as Svix does. */
export const DEFAULT_SECRET_GRACE_PERIOD = '24h';
/** Secrets kept signing after rotations; one more rotation within the grace period is refused. */
export const MAX_PREVIOUS_SECRETS = 10;

/** Receiving: the resolved `forReceiver` options, decorator metadata, the async queue and defaults. */
export const WEBHOOK_RECEIVER_OPTIONS = Symbol('HOMING_WEBHOOK_RECEIVER_OPTIONS');
export const WEBHOOK_SEEN_MESSAGES = Symbol('HOMING_WEBHOOK_SEEN_MESSAGES');
export const WEBHOOK_CONTROLLER_METADATA = 'homing:webhook-controller';
export const WEBHOOK_HANDLER_METADATA = 'homing:webhook-handler';
export const HOMING_RECEIVER_BULL_CONFIG = 'homing-receiver';
export const RECEIVER_QUEUE = 'homing-received';
export const DEFAULT_RECEIVER_TOLERANCE = '5m';
export const DEFAULT_RECEIVER_BODY_LIMIT = '1mb';
/** Longer than the whole default retry schedule (about 28 h), so a late retry is still recognised. */
export const DEFAULT_DUPLICATE_WINDOW = '3d';

/**
 * Endpoint transformations (`handler(webhook)` run in QuickJS): what one run may use, and the size of the code.
 * `timeMs` bounds a run's own time inside the sandbox; a built-in that cannot be interrupted (a huge sort) is
 * stopped from outside `graceMs` later by ending the sandbox's thread. Code lengths are Svix's.
 */
export const TRANSFORMATION_LIMITS = {
  memoryBytes: 16 * 1024 * 1024,
  timeMs: 100,
  graceMs: 400,
  /** A run not started within this (runs take turns) fails: a delivery's transformation and request fit its lease. */
  waitMs: 3_000,
  /** QuickJS's own stack bound, well inside the sandbox thread's native stack (`threadStackMb`). */
  stackBytes: 256 * 1024,
  threadStackMb: 4,
  /** The sandbox thread's own V8 heap (what it parses and posts back), apart from QuickJS's 16 MB. */
  threadHeapMb: 128,
  minCodeLength: 10,
  maxCodeLength: 51_200,
  maxVariables: 100,
} as const;
/** The methods a transformation may send with: Svix's `TransformationHttpMethod`. */
export const TRANSFORMATION_METHODS = ['POST', 'PUT', 'PATCH'] as const;
