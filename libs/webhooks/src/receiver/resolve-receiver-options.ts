import { parseByteSize } from '../config/byte-size.js';
import { parseDuration } from '../config/duration.js';
import { KEY_FORMATS, schemeOfKey } from '../signing/schemes/registry.js';
import {
  DEFAULT_DUPLICATE_WINDOW,
  DEFAULT_RECEIVER_BODY_LIMIT,
  DEFAULT_RECEIVER_TOLERANCE,
  SIGNATURE_HEADERS,
} from '../webhooks.constants.js';
import type {
  ResolvedReceiverOptions,
  WebhookReceiverOptions,
  WebhookReceiverQueueOptions,
  WebhookSecrets,
  WebhookValueSource,
} from './webhook-receiver-options.interface.js';

/** Defaults and validation of `forReceiver` options; a bad value stops the app at boot, naming the option. */
export function resolveReceiverOptions(options: WebhookReceiverOptions, queueOption?: boolean | WebhookReceiverQueueOptions): ResolvedReceiverOptions {
  const bodyHmacHeader = typeof options.scheme === 'object' ? options.scheme.bodyHmacHeader?.trim().toLowerCase() : undefined;
  if (options.scheme !== undefined && options.scheme !== 'standard-webhooks' && !bodyHmacHeader) {
    throw new Error(`forReceiver: scheme must be 'standard-webhooks' or { bodyHmacHeader: '<header name>' }`);
  }
  const queue = queueOption === true ? {} : queueOption || undefined;
  return {
    secrets: secretsOf(options.secret, !bodyHmacHeader),
    bodyHmacHeader,
    signatureHeaders: bodyHmacHeader ? [bodyHmacHeader] : Object.values(SIGNATURE_HEADERS).map((names) => names.signature),
    toleranceMs: parseDuration(options.tolerance ?? DEFAULT_RECEIVER_TOLERANCE, 'forReceiver tolerance'),
    eventType: valueSource(options.eventType ?? { field: 'type' }, 'eventType'),
    messageId: valueSource(options.messageId ?? { field: 'id' }, 'messageId'),
    bodyLimit: parseByteSize(options.bodyLimit ?? DEFAULT_RECEIVER_BODY_LIMIT, 'forReceiver bodyLimit'),
    duplicateWindowMs:
      options.duplicateWindow === false ? 0 : parseDuration(options.duplicateWindow ?? DEFAULT_DUPLICATE_WINDOW, 'forReceiver duplicateWindow'),
    redis: options.redis ?? (queue ? 'redis://127.0.0.1:6379' : undefined),
    queuePrefix: options.queuePrefix ?? 'homing',
    queue: queue && {
      attempts: positiveInteger(queue.attempts ?? 5, 'queue.attempts'),
      backoffMs: parseDuration(queue.backoff ?? '1s', 'forReceiver queue.backoff'),
      concurrency: positiveInteger(queue.concurrency ?? 10, 'queue.concurrency'),
    },
    rejectUnknownTypes: options.rejectUnknownTypes ?? false,
  };
}

function secretsOf(secret: WebhookReceiverOptions['secret'] | undefined, standard: boolean): ResolvedReceiverOptions['secrets'] {
  if (typeof secret === 'function') return async (request) => secretList(await secret(request));
  const secrets = secretList(secret);
  if (secrets.length === 0) throw new Error('forReceiver: secret is required (a string, a list during a rotation, or a function of the request)');
  // A Standard Webhooks key of no known form could never verify: a shared secret, or a scheme's public key.
  const malformed = secrets.findIndex((candidate) => standard && !schemeOfKey(candidate).isValidKey(candidate));
  if (malformed >= 0) throw new Error(`forReceiver: secret #${malformed + 1} is not a Standard Webhooks secret (${KEY_FORMATS.join('; or ')})`);
  return async () => secrets;
}

function secretList(secrets: WebhookSecrets | null | undefined): readonly string[] {
  return (typeof secrets === 'string' ? [secrets] : (secrets ?? [])).filter((secret) => typeof secret === 'string' && secret.length > 0);
}

function valueSource(source: WebhookValueSource, what: string): WebhookValueSource {
  const valid =
    typeof source === 'function' ||
    (typeof source === 'object' && source !== null && (('field' in source && !!source.field) || ('header' in source && !!source.header)));
  if (!valid) throw new Error(`forReceiver: ${what} must be { field: 'name' }, { header: 'name' } or a function`);
  return typeof source === 'object' && 'header' in source ? { header: source.header.toLowerCase() } : source;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`forReceiver: ${what} must be a positive integer, got ${value}`);
  return value;
}
