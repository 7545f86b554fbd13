import { applyDecorators, UnprocessableEntityException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsString,
  IsUrl,
  Length,
  MaxLength,
  Min,
  validate,
  ValidateBy,
  type ValidationError,
  type ValidationOptions,
} from 'class-validator';
import { isValidEventTypeName, isValidEventTypePattern } from '../producer/event-type-pattern.js';
import { isValidSecret } from '../signing/webhook-secret.js';
import { SIGNATURE_HEADERS } from '../webhooks.constants.js';

/** Caller-chosen keys (`uid`): as Svix allows them. */
export const UID_FORMAT = /^[a-zA-Z0-9\-_.]{1,256}$/;

export const IsUid = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isUid', validator: { validate: (v) => typeof v === 'string' && UID_FORMAT.test(v), defaultMessage: (a) => `${a?.property} must match ${UID_FORMAT.source}` } }, options);

export const IsEventTypeName = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isEventTypeName', validator: { validate: (v) => typeof v === 'string' && isValidEventTypeName(v), defaultMessage: (a) => `${a?.property} must be an event type name of letters, digits, '-', '_' and '.'` } },
    options,
  );

export const IsEventTypePattern = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isEventTypePattern', validator: { validate: (v) => typeof v === 'string' && isValidEventTypePattern(v), defaultMessage: (a) => `each entry of ${a?.property} must be an event type name, optionally ending in '.*'` } },
    options,
  );

export const IsWebhookSecret = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isWebhookSecret', validator: { validate: (v) => typeof v === 'string' && isValidSecret(v), defaultMessage: (a) => `${a?.property} must be base64 of 24 to 64 bytes, optionally prefixed whsec_` } },
    options,
  );

/** An object whose values are all strings (Svix's `metadata`). */
export const IsStringMap = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isStringMap', validator: { validate: (v) => isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string'), defaultMessage: (a) => `${a?.property} must be an object of string values` } },
    options,
  );

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
/** Headers a delivery sets itself (or that HTTP owns), so an endpoint's own headers cannot replace them. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'user-agent',
  // Hop-by-hop and proxy headers belong to the connection, not to the webhook.
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);
/** Every header of the signature schemes' families (`webhook-*`, `svix-*`), not only those sent today. */
const RESERVED_HEADER_PREFIXES = Object.values(SIGNATURE_HEADERS).map(({ id }) => id.slice(0, id.indexOf('-') + 1));

/** Why a set of extra delivery headers cannot be used, or null when it can. */
export function headerMapProblem(headers: unknown): string | null {
  if (!isPlainObject(headers)) return 'must be an object of header names to string values';
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) return `"${name}" is not a valid header name`;
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))) return `"${name}" is reserved (set by the dispatcher or by HTTP itself) and cannot be given`;
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) return `the value of "${name}" must be a string without line breaks`;
  }
  return null;
}

export const IsHeaderMap = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isHeaderMap', validator: { validate: (v) => headerMapProblem(v) === null, defaultMessage: (a) => `${a?.property}: ${headerMapProblem(a?.value)}` } },
    options,
  );

/** Why a signature scheme cannot be used, or null when it can. */
export function signatureSchemeProblem(scheme: unknown): string | null {
  if (!isPlainObject(scheme)) return "must be { type: 'standard-webhooks' } or { type: 'body-hmac', header?, accountHeader? }";
  const { type, header, accountHeader, ...rest } = scheme;
  if (Object.keys(rest).length > 0) return `has unknown fields: ${Object.keys(rest).join(', ')}`;
  if (type === 'standard-webhooks') return header === undefined && accountHeader === undefined ? null : 'standard-webhooks takes no header names';
  if (type !== 'body-hmac') return "type must be 'standard-webhooks' or 'body-hmac'";
  for (const [field, name] of Object.entries({ header, accountHeader })) {
    if (name === undefined || (field === 'accountHeader' && name === null)) continue;
    if (typeof name !== 'string') return `${field} must be a header name`;
    const problem = headerMapProblem({ [name]: '' });
    if (problem) return `${field}: ${problem}`;
  }
  return null;
}

export const IsSignatureScheme = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isSignatureScheme', validator: { validate: (v) => signatureSchemeProblem(v) === null, defaultMessage: (a) => `${a?.property} ${signatureSchemeProblem(a?.value)}` } },
    options,
  );

/** The rules of each field the library's inputs and the HTTP API's DTOs share. */
export const IsEndpointUrl = () =>
  applyDecorators(IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'url must be an http or https URL' }), MaxLength(2048));
export const IsDescription = () => applyDecorators(IsString(), MaxLength(4096));
/** Event types to receive; a trailing `.*` matches a subtree. */
export const IsEventTypeFilter = () => applyDecorators(IsArray(), ArrayMaxSize(1000), IsEventTypePattern({ each: true }));
/** Channels and tags: short free-form labels. */
export const IsLabelList = () => applyDecorators(IsArray(), ArrayMaxSize(10), IsString({ each: true }), Length(1, 128, { each: true }));
/** Deliveries (or messages) per second. */
export const IsRateLimit = () => applyDecorators(IsInt(), Min(1));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Flat `{ loc, msg }` details, the shape Svix gives in a 422. */
export interface FieldError {
  loc: string[];
  msg: string;
  type: string;
}

export function fieldErrors(errors: ValidationError[], path: string[] = ['body']): FieldError[] {
  return errors.flatMap((error) => [
    ...Object.entries(error.constraints ?? {}).map(([type, msg]) => ({ loc: [...path, error.property], msg, type })),
    ...fieldErrors(error.children ?? [], [...path, error.property]),
  ]);
}

/** Validates a partial update: only the fields given are checked, and only they are returned. */
export async function validateChanges<T extends object>(dto: new () => T, changes: unknown): Promise<Partial<T>> {
  const valid = await validateInput(dto, changes, true);
  return Object.fromEntries(Object.entries(valid).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Validates library-mode input with the same DTOs the REST API uses; 422 with field details on failure. */
export async function validateInput<T extends object>(dto: new () => T, input: unknown, skipMissing = false): Promise<T> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new UnprocessableEntityException({ code: 'validation', detail: [{ loc: ['body'], msg: 'expected an object', type: 'type_error' }] });
  }
  const instance = plainToInstance(dto, input);
  const errors = await validate(instance, { whitelist: true, skipMissingProperties: skipMissing });
  if (errors.length > 0) {
    throw new UnprocessableEntityException({ code: 'validation', detail: fieldErrors(errors) });
  }
  return instance;
}
