import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  isISO8601,
  isURL,
  IsUrl,
  validate,
  ValidateBy,
  ValidateIf,
  type ValidationError as ClassValidatorError,
  type ValidationOptions,
} from 'class-validator';
import { type InvalidField, ValidationError } from '../exceptions/homing-errors.js';
import { isValidEventTypeName, isValidEventTypePattern } from '../common/event-type-pattern.js';
import { isJsonMediaType, isMediaType, MAX_MEDIA_TYPE_LENGTH } from '../common/media-type.js';
import { isValidSecret, secretFormat } from '../signing/webhook-secret.js';
import { SIGNATURE_HEADERS, TRANSFORMATION_LIMITS } from '../webhooks.constants.js';

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
    { name: 'isWebhookSecret', validator: { validate: (v) => typeof v === 'string' && isValidSecret(v), defaultMessage: (a) => `${a?.property} must be ${secretFormat(a?.value)}` } },
    options,
  );

/** An object whose values are all strings (Svix's `metadata`). */
export const IsStringMap = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isStringMap', validator: { validate: (v) => isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string'), defaultMessage: (a) => `${a?.property} must be an object of string values` } },
    options,
  );

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
/** What Node lets a header value hold (setting any other character throws): no line breaks, controls or characters past U+00FF. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
export const isHeaderValue = (value: unknown): value is string => typeof value === 'string' && HEADER_VALUE.test(value);
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
    if (RESERVED_HEADERS.has(lower) || RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))) return `"${name}" is reserved (each delivery sets it, or HTTP does) and cannot be given`;
    if (!isHeaderValue(value)) return `the value of "${name}" must be a string without line breaks, control characters or characters past U+00FF`;
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

/**
 * How deep a request body, or the input of a library call, may nest arrays and objects (the body itself
 * is level 1): as deep as Svix's own API reads (serde_json's limit), far from where a recursive walk of
 * the value (class-transformer, JSON.stringify) overflows the stack.
 */
export const MAX_JSON_DEPTH = 128;
/** How deep a free-form JSON value kept in a JSON column (an event type's `schemas`) may nest: MariaDB refuses 32 levels. */
export const MAX_STORED_JSON_DEPTH = 31;

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * Whether `value` nests arrays and objects deeper than `levels` (itself being level 1). A loop over an
 * explicit stack, so a value nested any deeper (or containing itself) is measured safely.
 */
export function nestsDeeperThan(value: unknown, levels: number): boolean {
  const values: unknown[] = [value];
  const depths = [1];
  while (values.length > 0) {
    const current = values.pop();
    const depth = depths.pop()!;
    if (!isContainer(current)) continue;
    if (depth > levels) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (isContainer(child)) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** A ValidationError about one value of the input (`path` within it). */
export function invalidField(path: string[], message: string, type = 'value_error'): ValidationError {
  return new ValidationError([{ path, message, type }]);
}

/**
 * Refuses input nested deeper than MAX_JSON_DEPTH with a ValidationError naming its field; run before anything
 * walks the input recursively. `origin` names the input's top level in the message (a request's `query`, ...).
 */
export function assertJsonDepth(input: unknown, origin = 'body'): void {
  if (!isContainer(input)) return;
  const field = Object.keys(input).find((key) => nestsDeeperThan((input as Record<string, unknown>)[key], MAX_JSON_DEPTH - 1));
  if (field === undefined) return;
  throw invalidField([field], `${field} nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels (counted from the ${origin})`, 'value_error.depth');
}

/** Whether JSON text nests arrays and objects deeper than `levels`: read on the text, so nothing recursive ever sees it. */
function jsonTextDeeperThan(text: string, levels: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > levels) return true;
    } else if (c === ']' || c === '}') depth -= 1;
  }
  return false;
}

const PAYLOAD_TOO_DEEP = `nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`;

/** Why text cannot be a payload sent byte for byte, or null when it can. */
function jsonTextProblem(text: string): string | null {
  if (jsonTextDeeperThan(text, MAX_JSON_DEPTH)) return PAYLOAD_TOO_DEEP;
  try {
    JSON.parse(text);
    return null;
  } catch {
    return 'must be JSON text';
  }
}

/** What a payload under this media type must be: JSON (no type means JSON), any text, or left unjudged (an invalid type fails on its own). */
function payloadKind(mediaType: unknown): 'json' | 'text' | 'unjudged' {
  if (mediaType === undefined || mediaType === null) return 'json';
  if (!isMediaType(mediaType)) return 'unjudged';
  return isJsonMediaType(mediaType) ? 'json' : 'text';
}

/** A validator of a value by `problem`, given the media type `mediaTypeOf` reads from the object validated. */
function underMediaType<T extends object>(name: string, problem: (value: unknown, mediaType: unknown) => string | null, mediaTypeOf: (object: T) => unknown) {
  return ValidateBy({
    name,
    validator: {
      validate: (v, a) => problem(v, mediaTypeOf(a!.object as T)) === null,
      defaultMessage: (a) => `${a?.property} ${problem(a?.value, mediaTypeOf(a!.object as T))}`,
    },
  });
}

/** Why text cannot be sent byte for byte under this media type, or null when it can. */
function payloadTextProblem(text: unknown, mediaType: unknown): string | null {
  const kind = payloadKind(mediaType);
  if (kind !== 'json') return kind === 'unjudged' || typeof text === 'string' ? null : 'must be a string';
  return typeof text === 'string' ? jsonTextProblem(text) : 'must be JSON text';
}

/**
 * Text sent byte for byte: JSON text nested at most MAX_JSON_DEPTH levels, unless `mediaTypeOf` (given
 * the object validated) names a media type other than JSON, when any text goes.
 */
export const IsPayloadText = <T extends object>(mediaTypeOf: (object: T) => unknown) => underMediaType('isPayloadText', payloadTextProblem, mediaTypeOf);

/** Why a value cannot be a message's payload under this media type, or null when it can (a string's JSON syntax is the producer's to check). */
function payloadProblem(value: unknown, mediaType: unknown): string | null {
  const kind = payloadKind(mediaType);
  if (kind !== 'json') return kind === 'unjudged' || typeof value === 'string' ? null : 'must be a string when contentType is not JSON';
  if (value === undefined || value === null) return 'must be a JSON value';
  return typeof value === 'string' && jsonTextDeeperThan(value, MAX_JSON_DEPTH) ? PAYLOAD_TOO_DEEP : null;
}

/**
 * A message's payload: a JSON value (the input's depth limit bounds it), or JSON text nested at most
 * MAX_JSON_DEPTH levels, measured on the text; any text when `mediaTypeOf` names a type other than JSON.
 */
export const IsPayload = <T extends object>(mediaTypeOf: (object: T) => unknown) => underMediaType('isPayload', payloadProblem, mediaTypeOf);

/** A media type as a `content-type` header carries it: `type/subtype`, parameters allowed, no control characters. */
export const IsMediaType = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isMediaType',
      validator: {
        validate: (v) => isMediaType(v),
        defaultMessage: (a) => `${a?.property} must be a media type such as text/plain or application/xml; charset=utf-8 (RFC 7231, at most ${MAX_MEDIA_TYPE_LENGTH} ASCII characters)`,
      },
    },
    options,
  );

/** A JSON object that fits a JSON column: nested at most MAX_STORED_JSON_DEPTH levels. */
export const IsJsonObject = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isJsonObject',
      validator: {
        validate: (v) => isPlainObject(v) && !nestsDeeperThan(v, MAX_STORED_JSON_DEPTH),
        defaultMessage: (a) => `${a?.property} must be a JSON object nested at most ${MAX_STORED_JSON_DEPTH} levels`,
      },
    },
    options,
  );

/** May be left out, but not null: its column holds no null (IsOptional lets null through, to a NOT NULL violation). */
export const IsOmittable = () => ValidateIf((_object, value) => value !== undefined);

/** Characters as MariaDB counts them in a utf8mb4 column: code points, a lone surrogate being one (stored as U+FFFD). */
function charactersWithin(text: string, min: number, max: number): boolean {
  let count = 0;
  for (const _character of text) if (++count > max) return false;
  return count >= min;
}

/**
 * A string of `min` to `max` characters, counted as the column does (class-validator's Length skips
 * variation selectors, so a string it passes could still be too long for the column).
 */
export const IsText = (min: number, max: number, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isText',
      validator: {
        validate: (v) => typeof v === 'string' && charactersWithin(v, min, max),
        defaultMessage: (a) => `${options?.each ? 'each entry of ' : ''}${a?.property} must be a string of ${min === 0 ? 'at most' : `${min} to`} ${max} characters`,
      },
    },
    options,
  );

/** A whole number from `min` to `max`: Svix's range where its API states one, else what the column holds. */
export const IsIntIn = (min: number, max: number, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isIntIn',
      validator: {
        validate: (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
        defaultMessage: (a) => `${a?.property} must be a whole number from ${min} to ${max}`,
      },
    },
    options,
  );

/** What a datetime column holds, in UTC, and what a sane client sends. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Reads an ISO 8601 string as a Date (a Date stays as it is); anything else is left for IsDateTime to refuse. */
export const ToDate = () => Transform(({ value }) => (typeof value === 'string' && isISO8601(value) ? new Date(value) : value));

/** A date and time from 1970 to 9999 (what a datetime column holds); with `maxDaysAhead`, no later than that many days from now. */
export const IsDateTime = (maxDaysAhead?: number) =>
  ValidateBy({
    name: 'isDateTime',
    validator: {
      validate: (v, a) => dateTimeProblem(v, a?.property ?? '', maxDaysAhead) === null,
      defaultMessage: (a) => dateTimeProblem(a?.value, a?.property ?? '', maxDaysAhead) ?? '',
    },
  });

function dateTimeProblem(value: unknown, property: string, maxDaysAhead: number | undefined): string | null {
  const time = value instanceof Date ? value.getTime() : NaN;
  if (!(time >= EARLIEST && time <= LATEST)) return `${property} must be an ISO 8601 date and time from 1970 to 9999`;
  if (maxDaysAhead !== undefined && time > Date.now() + maxDaysAhead * 24 * 3600_000) return `${property} must be at most ${maxDaysAhead} days ahead`;
  return null;
}

/** What an endpoint URL may be: an http or https URL (a host without a TLD allowed), of at most this many characters. */
const ENDPOINT_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const MAX_ENDPOINT_URL_LENGTH = 2048;

/** Whether a value is a URL an endpoint may have (a URL a transformation gives is held to it too). */
export function isEndpointUrl(value: unknown): value is string {
  return typeof value === 'string' && charactersWithin(value, 1, MAX_ENDPOINT_URL_LENGTH) && isURL(value, ENDPOINT_URL);
}

/** The rules of each field the library's inputs and the HTTP API's DTOs share. */
export const IsEndpointUrl = () => applyDecorators(IsUrl(ENDPOINT_URL, { message: 'url must be an http or https URL' }), IsText(1, MAX_ENDPOINT_URL_LENGTH));
/** A description (a text column: 4,096 characters of up to 4 bytes fit its 64 kB). */
export const IsDescription = () => IsText(0, 4096);
/** Names, ids and flags kept in varchar(256) columns. */
export const IsShortText = (options?: ValidationOptions) => IsText(1, 256, options);
/** Event types to receive; a trailing `.*` matches a subtree. */
export const IsEventTypeFilter = () => applyDecorators(IsArray(), ArrayMaxSize(1000), IsEventTypePattern({ each: true }));
/** Channels and tags: short free-form labels. */
export const IsLabelList = () => applyDecorators(IsArray(), ArrayMaxSize(10), IsText(1, 128, { each: true }));
/** Deliveries (or messages) per second: a uint16 from 1, as Svix's `throttleRate`. */
export const IsRateLimit = () => IsIntIn(1, 65_535);
/** Days a message's payload is kept: Svix's range. */
export const IsRetentionDays = () => IsIntIn(1, 90);
/** How far ahead a message may be scheduled: no further than the longest retention it can ask for. */
export const MAX_DELIVER_AHEAD_DAYS = 90;
/** When a message is first sent (a time in the past means now). */
export const IsDeliverAt = () => applyDecorators(ToDate(), IsDateTime(MAX_DELIVER_AHEAD_DAYS));
/** A transformation's JavaScript: Svix's bounds on its length (that it declares `handler` is the sandbox's to tell). */
export const IsTransformationCode = () => IsText(TRANSFORMATION_LIMITS.minCodeLength, TRANSFORMATION_LIMITS.maxCodeLength);
const VARIABLE_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
const MAX_VARIABLE_LENGTH = 4096;

/** Why a transformation's variables cannot be used, or null when they can. */
function variablesProblem(variables: unknown): string | null {
  if (!isPlainObject(variables)) return 'must be an object of names to string values';
  const entries = Object.entries(variables);
  if (entries.length > TRANSFORMATION_LIMITS.maxVariables) return `holds more than ${TRANSFORMATION_LIMITS.maxVariables} variables`;
  for (const [name, value] of entries) {
    if (!VARIABLE_NAME.test(name)) return `"${name.slice(0, 80)}" is not a variable name (a letter, '_' or '$', then up to 63 letters, digits, '_' or '$')`;
    if (typeof value !== 'string' || !charactersWithin(value, 0, MAX_VARIABLE_LENGTH)) return `the value of "${name}" must be a string of at most ${MAX_VARIABLE_LENGTH} characters`;
  }
  return null;
}

/** Values a transformation's handler gets as its second argument: names to strings. */
export const IsTransformationVariables = () =>
  ValidateBy({ name: 'isTransformationVariables', validator: { validate: (v) => variablesProblem(v) === null, defaultMessage: (a) => `${a?.property} ${variablesProblem(a?.value)}` } });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** class-validator's nested failures, flat: one entry per broken rule, `type` naming the rule. */
export function fieldErrors(errors: ClassValidatorError[], path: string[] = []): InvalidField[] {
  return errors.flatMap((error) => [
    ...Object.entries(error.constraints ?? {}).map(([type, message]) => ({ path: [...path, error.property], message, type })),
    ...fieldErrors(error.children ?? [], [...path, error.property]),
  ]);
}

const isScalar = (value: unknown) => value === null || typeof value !== 'object';

/**
 * plainToInstance that leaves free-form JSON (a payload, metadata, schemas, headers) as given: class-transformer
 * walks every object it meets, throws on one with a "constructor" member and drops such members. Only scalars and
 * lists of scalars go through it (for the fields' @Transform readers); an object a field's @Type makes a nested DTO
 * is converted the same way, any other object or list is kept as it is.
 */
export function plainToDto<T extends object>(dto: new () => T, plain: object): T {
  const entries = Object.entries(plain).filter(([key]) => key !== '__proto__' && key !== 'constructor');
  const walked = (value: unknown) => isScalar(value) || (Array.isArray(value) && value.every(isScalar));
  const instance = plainToInstance(dto, Object.fromEntries(entries.filter(([, value]) => walked(value)))) as Record<string, unknown>;
  for (const [key, value] of entries.filter(([, value]) => !walked(value))) {
    // What class-transformer makes of an empty object there tells whether the field holds a nested DTO.
    const probe = (plainToInstance(dto, { [key]: {} }) as Record<string, unknown>)[key];
    const nested = isPlainObject(value) && isPlainObject(probe) && probe.constructor !== Object ? (probe.constructor as new () => object) : undefined;
    instance[key] = nested ? plainToDto(nested, value) : value;
  }
  return instance as T;
}

/** Validates a partial update: only the fields given are checked, and only they are returned. */
export async function validateChanges<T extends object>(dto: new () => T, changes: unknown): Promise<Partial<T>> {
  const valid = await validateInput(dto, changes, true);
  return Object.fromEntries(Object.entries(valid).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Validates library-mode input with the same DTOs the REST API uses; a ValidationError naming each field at fault on failure. */
export async function validateInput<T extends object>(dto: new () => T, input: unknown, partial = false): Promise<T> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidField([], 'expected an object', 'type_error');
  }
  assertJsonDepth(input);
  const instance = plainToDto(dto, input);
  // A partial update leaves fields out; one given as null is still checked (a NOT NULL column refuses it).
  const errors = await validate(instance, { whitelist: true, skipUndefinedProperties: partial });
  if (errors.length > 0) {
    throw new ValidationError(fieldErrors(errors));
  }
  return instance;
}
